package ledger.webhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import ledger.events.EventId;
import ledger.events.InvoiceCancelled;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceExpired;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.InvoiceView;
import ledger.events.LineItem;
import ledger.events.Money;
import ledger.events.PaymentId;
import ledger.events.PaymentReceived;
import ledger.events.StoreId;
import ledger.events.WebhookTypes;
import org.junit.jupiter.api.Test;

class WebhookPayloadsTest {

    private static final Currency USD = Currency.getInstance("USD");
    private static final Instant T0 = Instant.parse("2026-11-01T10:00:00.123456Z");
    private final ObjectMapper json = new ObjectMapper();

    private final InvoiceCreated created = new InvoiceCreated(EventId.generate(), InvoiceId.generate(),
            StoreId.generate(), 1, T0, null, Money.parse("100.00", USD),
            List.of(LineItem.compute("Mug", new BigDecimal("2"), Money.parse("50.00", USD), null, null)), "order-7",
            "Two mugs", "a@example.com",
            Map.of("channel", "web", "api_key", "hidden"), "https://pay.example/c/1", "https://shop.example/cb",
            null, null, T0.plusSeconds(3600), false, InvoiceStatus.OPEN, Money.zero(USD), Money.parse("100.00", USD));

    private PaymentReceived payment(long seq, String amount, String paidTotal, InvoiceStatus status) {
        var paid = Money.parse(paidTotal, USD);
        return new PaymentReceived(EventId.generate(), created.invoiceId(), created.storeId(), seq,
                T0.plusSeconds(seq * 60), PaymentId.generate(), Money.parse(amount, USD), "ref-" + seq, "card",
                T0.plusSeconds(seq * 60), status, paid, created.amount().minusFloorZero(paid));
    }

    @Test
    void mapsLedgerEventsToWebhookTypes() {
        assertThat(WebhookTypes.of(created)).isEqualTo("invoice.created");
        assertThat(WebhookTypes.of(payment(2, "40.00", "40.00", InvoiceStatus.PARTIALLY_PAID)))
                .isEqualTo("invoice.partially_paid");
        assertThat(WebhookTypes.of(payment(2, "100.00", "100.00", InvoiceStatus.PAID))).isEqualTo("invoice.paid");
        assertThat(WebhookTypes.of(payment(2, "120.00", "120.00", InvoiceStatus.OVERPAID))).isEqualTo("invoice.paid");
        assertThat(WebhookTypes.of(new InvoiceCancelled(EventId.generate(), created.invoiceId(), created.storeId(), 2,
                T0, null, InvoiceStatus.CANCELLED, Money.zero(USD), created.amount()))).isEqualTo("invoice.cancelled");
        assertThat(WebhookTypes.of(new InvoiceExpired(EventId.generate(), created.invoiceId(), created.storeId(), 2, T0,
                InvoiceStatus.EXPIRED, Money.zero(USD), created.amount()))).isEqualTo("invoice.expired");
        assertThat(WebhookTypes.of(new ledger.events.InvoiceOverdue(EventId.generate(), created.invoiceId(),
                created.storeId(), 2, T0, java.time.LocalDate.parse("2026-01-31"), InvoiceStatus.OPEN, Money.zero(USD),
                created.amount()))).isEqualTo("invoice.overdue");
    }

    @Test
    void aCreatedPayloadCarriesTheInvoiceViewAndNoPayment() throws Exception {
        var view = InvoiceView.created(created);
        JsonNode body = json.readTree(WebhookPayloads.body(created, "invoice.created", view));
        assertThat(body.get("id").asText()).isEqualTo(created.eventId().value());
        assertThat(body.get("type").asText()).isEqualTo("invoice.created");
        assertThat(body.get("timestamp").asText()).isEqualTo("2026-11-01T10:00:00.123456Z");
        assertThat(body.get("api_version").asText()).isEqualTo("2026-11-01");
        JsonNode invoice = body.get("data").get("invoice");
        assertThat(invoice.get("id").asText()).isEqualTo(created.invoiceId().value());
        assertThat(invoice.get("object").asText()).isEqualTo("invoice");
        assertThat(invoice.get("status").asText()).isEqualTo("open");
        assertThat(invoice.get("amount").asText()).isEqualTo("100.00");
        assertThat(invoice.get("amount_due").asText()).isEqualTo("100.00");
        assertThat(invoice.get("callback_url").asText()).isEqualTo("https://shop.example/cb");
        assertThat(invoice.get("metadata").has("api_key")).isFalse();
        assertThat(invoice.get("version").asLong()).isEqualTo(1);
        assertThat(invoice.at("/line_items/0/description").asText()).isEqualTo("Mug");
        assertThat(invoice.at("/line_items/0/amount_total").asText()).isEqualTo("100.00");
        assertThat(body.get("data").has("payment")).isFalse();
    }

    @Test
    void aPaymentPayloadCarriesTheInvoiceAfterThePaymentAndThePayment() throws Exception {
        var first = payment(2, "40.00", "40.00", InvoiceStatus.PARTIALLY_PAID);
        var second = payment(3, "60.00", "100.00", InvoiceStatus.PAID);
        var view = InvoiceView.created(created).apply(first).apply(second);
        JsonNode body = json.readTree(WebhookPayloads.body(second, WebhookTypes.of(second), view));
        assertThat(body.get("type").asText()).isEqualTo("invoice.paid");
        JsonNode invoice = body.get("data").get("invoice");
        assertThat(invoice.get("status").asText()).isEqualTo("paid");
        assertThat(invoice.get("amount_paid").asText()).isEqualTo("100.00");
        assertThat(invoice.get("amount_due").asText()).isEqualTo("0.00");
        assertThat(invoice.get("payments")).hasSize(2);
        JsonNode payment = body.get("data").get("payment");
        assertThat(payment.get("id").asText()).isEqualTo(second.paymentId().value());
        assertThat(payment.get("amount").asText()).isEqualTo("60.00");
        assertThat(payment.get("reference").asText()).isEqualTo("ref-3");
    }

    @Test
    void theSameEventAndViewGiveTheSameBytes() {
        var view = InvoiceView.created(created);
        assertThat(WebhookPayloads.body(created, "invoice.created", view))
                .isEqualTo(WebhookPayloads.body(created, "invoice.created", view));
    }
}
