package ledger.query.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import ledger.events.CreditNoteReason;
import ledger.events.EventId;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.LedgerEvent;
import ledger.events.PaymentId;
import ledger.events.PaymentReceived;
import ledger.events.StoreId;
import ledger.events.WebhookTypes;
import ledger.query.InvoiceHistory;
import ledger.support.web.ApiException;
import org.junit.jupiter.api.Test;

/** Webhook names filter exactly the events the dispatcher sends under those names. */
class EventFiltersTest {

    static final Instant T = Instant.parse("2026-05-01T00:00:00Z");

    @Test
    void everyWebhookNameSelectsTheEventsThatBecomeThatWebhook() {
        var store = StoreId.generate();
        var partly = InvoiceHistory.of(store, "10.00", "USD");
        var over = InvoiceHistory.of(store, "10.00", "USD");
        var cancelled = InvoiceHistory.of(store, "10.00", "USD");
        var expired = InvoiceHistory.of(store, "10.00", "USD");
        var corrected = InvoiceHistory.of(store, "10.00", "USD");
        var firstPart = corrected.pay("4.00", T);
        // a part payment on a written-off invoice, which leaves it uncollectible
        var partOfWrittenOff = new PaymentReceived(EventId.generate(), firstPart.invoiceId(), store, 9, T,
                PaymentId.generate(), firstPart.amount(), "late", null, T, InvoiceStatus.UNCOLLECTIBLE,
                firstPart.amountPaid(), firstPart.amountDue());
        List<LedgerEvent> events = List.of(partly.create(T, null, T), partly.pay("4.00", T), partly.pay("6.00", T),
                over.create(T, null, T), over.pay("12.00", T), cancelled.create(T, null, T), cancelled.cancel(T),
                expired.create(T, null, T), expired.expire(T), corrected.create(T, null, T), firstPart,
                corrected.credit("1.00", CreditNoteReason.OTHER, T), corrected.refund("1.00", null, T),
                partOfWrittenOff);
        assertThat(EventFilters.TYPES.keySet()).containsAll(WebhookTypes.ALL);
        for (String name : WebhookTypes.ALL) {
            var filter = EventFilters.TYPES.get(name);
            for (LedgerEvent e : events) {
                boolean selected = e.type().equals(filter.ledgerType())
                        && (filter.statuses() == null || filter.statuses().contains(e.status()));
                assertThat(selected).as(name + " selects " + e.type() + " " + e.status())
                        .isEqualTo(WebhookTypes.of(e).equals(name));
            }
        }
    }

    @Test
    void aSplitTypeAlsoFiltersOnTheResultingStatus() {
        var where = new StringBuilder();
        var args = new ArrayList<Object>();
        String invoice = InvoiceId.generate().value();
        EventFilters.appendTo("invoice.paid", invoice, where, args);
        assertThat(where.toString()).isEqualTo(" AND type = ? AND status IN (?, ?) AND invoice_id = ?");
        assertThat(args).containsExactly("PaymentReceived", "overpaid", "paid", invoice);

        where.setLength(0);
        args.clear();
        EventFilters.appendTo("PaymentReceived", null, where, args);
        assertThat(where.toString()).isEqualTo(" AND type = ?");
        assertThat(args).containsExactly("PaymentReceived");
    }

    @Test
    void everyLedgerEventTypeSelectsItself() {
        assertThat(EventFilters.LEDGER_TYPES).containsExactlyInAnyOrder("InvoiceCreated", "PaymentReceived",
                "InvoiceCancelled", "InvoiceExpired", "InvoiceOverdue", "InvoiceMarkedUncollectible", "RefundIssued",
                "CreditNoteIssued");
        for (String type : EventFilters.LEDGER_TYPES) {
            var where = new StringBuilder();
            var args = new ArrayList<Object>();
            EventFilters.appendTo(type, null, where, args);
            assertThat(where.toString()).isEqualTo(" AND type = ?");
            assertThat(args).containsExactly(type);
        }
    }

    @Test
    void unknownTypesAndMalformedInvoicesAreParameterErrors() {
        assertThatThrownBy(() -> EventFilters.appendTo("InvoicePaid", null, new StringBuilder(), new ArrayList<>()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.param()).isEqualTo("type"));
        assertThatThrownBy(() -> EventFilters.appendTo(null, "evt_1", new StringBuilder(), new ArrayList<>()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.param()).isEqualTo("invoice"));
    }
}
