package ledger.query.checkout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import ledger.events.CheckoutToken;
import ledger.events.EventId;
import ledger.events.InvoiceCancelled;
import ledger.events.InvoiceExpired;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceId;
import ledger.events.InvoiceMarkedUncollectible;
import ledger.events.InvoiceOverdue;
import ledger.events.InvoiceStatus;
import ledger.events.InvoiceView;
import ledger.events.LedgerJson;
import ledger.events.Money;
import ledger.events.PaymentId;
import ledger.events.PaymentReceived;
import ledger.events.StoreId;
import org.junit.jupiter.api.Test;

class BuyerViewTest {

    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    static final CheckoutToken TOKEN = new CheckoutToken("ck_" + "AbCdEfGhIjKl".repeat(3) + "mnopqSt");

    static InvoiceView invoice(String amount, String currency, String orderId, boolean livemode) {
        var money = Money.parse(amount, Currency.getInstance(currency));
        var created = new InvoiceCreated(EventId.generate(), InvoiceId.generate(), StoreId.generate(), 1, T0, null, money,
                List.of(),
                orderId, "Two tickets", "buyer@example.com", Map.of("internal_note", "vip"),
                "http://localhost:8080/checkout/" + TOKEN.value(), "https://merchant.example.com/hook",
                "https://merchant.example.com/thanks", LocalDate.parse("2026-03-10"), T0.plusSeconds(3600), livemode,
                InvoiceStatus.OPEN, Money.zero(money.currency()), money);
        return InvoiceView.created(created);
    }

    static InvoiceView pay(InvoiceView view, String amount, InvoiceStatus status, String paid, String due) {
        var currency = Currency.getInstance(view.currency());
        return view.apply(new PaymentReceived(EventId.generate(), new InvoiceId(view.id()), StoreId.generate(),
                view.version() + 1, T0.plusSeconds(60), PaymentId.generate(), Money.parse(amount, currency), "ref-1",
                "bank_transfer", T0.plusSeconds(60), status, Money.parse(paid, currency), Money.parse(due, currency)));
    }

    @Test
    void theStatusJsonHoldsOnlyBuyerFacingFields() {
        var view = BuyerView.of(pay(invoice("100.00", "USD", null, false), "100.00", InvoiceStatus.PAID, "100.00",
                "0.00"), TOKEN, "Coffee Shop");
        JsonNode json = LedgerJson.mapper().valueToTree(view);
        var names = new ArrayList<String>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("store_name", "number", "description", "currency", "amount",
                "amount_credited", "amount_paid", "amount_refunded", "amount_due", "status", "due_date", "overdue", "expires_at", "livemode", "return_url", "reference",
                "has_receipt");
        assertThat(json.toString()).doesNotContain("inv_", "st_", "pay_", "evt_", "ck_", "internal_note",
                "merchant.example.com/hook", "buyer@example.com");
        assertThat(json.get("status").asText()).isEqualTo("paid");
        assertThat(json.get("amount_due").asText()).isEqualTo("0.00");
        assertThat(json.get("expires_at").asText()).isEqualTo("2026-03-01T11:00:00Z");
        assertThat(json.get("due_date").asText()).isEqualTo("2026-03-10");
    }

    @Test
    void aWrittenOffInvoiceCanStillBePaidAfterItsOldExpiryAndCountsNothingDown() {
        var open = invoice("100.00", "USD", null, false);
        var usd = Currency.getInstance("USD");
        var writtenOff = BuyerView.of(open.apply(new InvoiceMarkedUncollectible(EventId.generate(),
                new InvoiceId(open.id()), StoreId.generate(), 2, T0.plusSeconds(60), InvoiceStatus.UNCOLLECTIBLE,
                Money.parse("0", usd), Money.parse("100", usd))), TOKEN, null);
        Instant afterExpiry = T0.plusSeconds(7200);

        assertThat(writtenOff.payable(afterExpiry)).isTrue();
        assertThat(writtenOff.countdown(afterExpiry)).isEqualTo("—");
        assertThat(BuyerView.of(open, TOKEN, null).payable(afterExpiry)).isFalse();
    }

    @Test
    void theDueDateSaysWhenTheInvoiceIsOverdueAndStopsOnceSettled() {
        var open = invoice("100.00", "USD", null, false);
        assertThat(BuyerView.of(open, TOKEN, null).dueDateText()).isEqualTo("2026-03-10");
        var overdue = open.apply(new InvoiceOverdue(EventId.generate(), new InvoiceId(open.id()), StoreId.generate(), 2,
                Instant.parse("2026-03-11T00:00:01Z"), LocalDate.parse("2026-03-10"), InvoiceStatus.OPEN,
                Money.parse("0", Currency.getInstance("USD")), Money.parse("100", Currency.getInstance("USD"))));
        var shown = BuyerView.of(overdue, TOKEN, null);
        assertThat(shown.dueDateText()).isEqualTo("2026-03-10 (overdue)");
        assertThat(LedgerJson.mapper().valueToTree(shown).get("overdue").asBoolean()).isTrue();
        var settled = BuyerView.of(pay(overdue, "100.00", InvoiceStatus.PAID, "100.00", "0.00"), TOKEN, null);
        assertThat(settled.dueDateText()).isEqualTo("2026-03-10");
    }

    @Test
    void amountsKeepTheCurrencysIsoScale() {
        var yen = BuyerView.of(invoice("1000", "JPY", null, false), TOKEN, null);
        assertThat(yen.amount()).isEqualTo("1000");
        assertThat(yen.amountDue()).isEqualTo("1000");
        var dinar = BuyerView.of(pay(invoice("1.5", "BHD", null, false), "0.25", InvoiceStatus.PARTIALLY_PAID,
                "0.25", "1.25"), TOKEN, null);
        assertThat(dinar.amount()).isEqualTo("1.500");
        assertThat(dinar.amountPaid()).isEqualTo("0.250");
        assertThat(dinar.amountDue()).isEqualTo("1.250");
    }

    @Test
    void theReferenceIsTheOrderIdOrTwelveCharactersOfTheToken() {
        assertThat(BuyerView.of(invoice("10.00", "USD", "order-77", true), TOKEN, null).reference())
                .isEqualTo("order-77");
        assertThat(BuyerView.of(invoice("10.00", "USD", null, true), TOKEN, null).reference())
                .isEqualTo("AbCdEfGhIjKl");
    }

    @Test
    void theReturnUrlAndTheReceiptComeOnlyWithMoney() {
        var open = BuyerView.of(invoice("100.00", "USD", null, false), TOKEN, null);
        assertThat(open.returnUrl()).isNull();
        assertThat(open.hasReceipt()).isFalse();
        var partly = BuyerView.of(pay(invoice("100.00", "USD", null, false), "40.00", InvoiceStatus.PARTIALLY_PAID,
                "40.00", "60.00"), TOKEN, null);
        assertThat(partly.returnUrl()).isNull();
        assertThat(partly.hasReceipt()).isTrue();
        var overpaid = BuyerView.of(pay(invoice("100.00", "USD", null, false), "120.00", InvoiceStatus.OVERPAID,
                "120.00", "0.00"), TOKEN, null);
        assertThat(overpaid.returnUrl()).isEqualTo("https://merchant.example.com/thanks");
        assertThat(overpaid.finalState()).isTrue();
    }

    @Test
    void theDeadlineDecidesWhetherAPaymentIsOffered() {
        var open = BuyerView.of(invoice("100.00", "USD", null, false), TOKEN, null);
        assertThat(open.finalState()).isFalse();
        assertThat(open.payable(T0.plusSeconds(3599))).isTrue();
        assertThat(open.payable(T0.plusSeconds(3600))).isFalse();
        var view = invoice("100.00", "USD", null, false);
        var cancelled = BuyerView.of(view.apply(new InvoiceCancelled(EventId.generate(), new InvoiceId(view.id()),
                StoreId.generate(), 2, T0.plusSeconds(5), "no longer needed", InvoiceStatus.CANCELLED,
                Money.parse("0.00", Currency.getInstance("USD")), Money.parse("100.00", Currency.getInstance("USD")))),
                TOKEN, null);
        assertThat(cancelled.finalState()).isTrue();
        assertThat(cancelled.payable(T0)).isFalse();
    }

    @Test
    void theCountdownShowsDaysHoursMinutesAndSeconds() {
        assertThat(BuyerView.countdown(T0.plusSeconds(3_725), T0)).isEqualTo("01:02:05");
        assertThat(BuyerView.countdown(T0.plusSeconds(2 * 86_400 + 59), T0)).isEqualTo("2 d 00:00:59");
        assertThat(BuyerView.countdown(T0.plusMillis(999), T0)).isEqualTo("expired");
        assertThat(BuyerView.countdown(T0, T0.plusSeconds(5))).isEqualTo("expired");
    }

    @Test
    void aSettledInvoiceShowsNoCountdown() {
        var open = BuyerView.of(invoice("100.00", "USD", null, false), TOKEN, null);
        assertThat(open.countdown(T0.plusSeconds(1))).isEqualTo("00:59:59");
        var paid = BuyerView.of(pay(invoice("100.00", "USD", null, false), "100.00", InvoiceStatus.PAID, "100.00",
                "0.00"), TOKEN, null);
        assertThat(paid.countdown(T0.plusSeconds(1))).isEqualTo("—");
    }

    @Test
    void anExpiredInvoiceSaysSoWhateverThisServicesClockSays() {
        var view = invoice("100.00", "USD", null, false);
        var expired = BuyerView.of(view.apply(new InvoiceExpired(EventId.generate(), new InvoiceId(view.id()),
                StoreId.generate(), 2, T0.plusSeconds(3600), InvoiceStatus.EXPIRED,
                Money.zero(Currency.getInstance("USD")), Money.parse("100.00", Currency.getInstance("USD")))),
                TOKEN, null);
        assertThat(expired.countdown(T0.plusSeconds(3599))).isEqualTo("expired");
    }

    @Test
    void anErrorCodeBecomesAReadableMessageAndIsNeverEchoed() {
        assertThat(BuyerView.errorMessage(null)).isNull();
        assertThat(BuyerView.errorMessage("invoice_not_payable")).isEqualTo("This invoice can no longer be paid.");
        assertThat(BuyerView.errorMessage("simulation_unavailable_in_live_mode")).contains("only for test invoices");
        assertThat(BuyerView.errorMessage("<script>alert(1)</script>"))
                .isEqualTo("The payment could not be recorded. Please try again.");
    }

    @Test
    void eachFormGetsAFreshNonce() {
        String a = BuyerView.nonce();
        assertThat(a).matches("sim_[A-Za-z0-9_-]{22}");
        assertThat(BuyerView.nonce()).isNotEqualTo(a);
    }

    @Test
    void fileNamesCarryTheReferenceSafely() {
        assertThat(BuyerView.of(invoice("10.00", "USD", "order-77", true), TOKEN, null).fileName("invoice"))
                .isEqualTo("invoice-order-77.pdf");
        assertThat(BuyerView.of(invoice("10.00", "USD", "../Bestellung Nr. 5/\"x\"", true), TOKEN, null)
                .fileName("receipt")).isEqualTo("receipt-Bestellung-Nr.-5-x.pdf");
        assertThat(BuyerView.of(invoice("10.00", "USD", "///", true), TOKEN, null).fileName("receipt"))
                .isEqualTo("receipt.pdf");
    }
}
