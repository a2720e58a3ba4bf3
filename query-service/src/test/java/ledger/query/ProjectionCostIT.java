package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.Future;
import ledger.events.LedgerEvent;
import ledger.events.StoreId;
import ledger.testsupport.JdbcCounter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What applying one event costs the projection does not grow with its invoice's history: the poll folds the
 * event onto the invoice's view in the read model ({@code invoice.view}) instead of re-reading every earlier
 * event; an invoice without a row gets its view from its recorded events.
 */
class ProjectionCostIT extends QueryIntegrationTest {

    static final Instant T = Instant.parse("2026-09-01T00:00:00Z");

    @Autowired
    JdbcCounter counter;

    @Test
    void event201OfAnInvoiceCostsWhatEvent3OfAnotherDoesWithoutReadingTheFirst200() throws Exception {
        var store = StoreId.generate();
        var longOne = InvoiceHistory.of(store, "500.00", "USD");
        var shortOne = InvoiceHistory.of(store, "500.00", "USD");
        var sent = new ArrayList<Future<?>>();
        sent.add(send(longOne.create(T, null, T.plusSeconds(86_400)), nextPosition()));
        for (int i = 1; i < 200; i++) {
            sent.add(send(longOne.pay("0.10", T.plusSeconds(i)), nextPosition()));
        }
        sent.add(send(shortOne.create(T, null, T.plusSeconds(86_400)), nextPosition()));
        sent.add(send(shortOne.pay("0.10", T.plusSeconds(1)), nextPosition()));
        for (var f : sent) {
            f.get();
        }
        awaitProjected();

        var longCost = costOf(longOne.pay("0.10", T.plusSeconds(200)));
        var shortCost = costOf(shortOne.pay("0.10", T.plusSeconds(2)));

        System.out.printf("Projection cost of one event: event 201 %s, event 3 %s%n", longCost, shortCost);
        assertThat(longCost).isEqualTo(shortCost);
        // The rows read back: the locks' and the flag's one row each, the inserted id, the stored view.
        assertThat(longCost.rows()).isLessThan(10);
        // The writers' lock, the rebuild flag, the insert, the invoices' locks, their views, the waiting events and
        // one upsert of the views: the read model's own rows are the stored views, not a second table (was 8).
        assertThat(longCost.statements()).isLessThanOrEqualTo(7);
        assertThat(jdbc.queryForObject("SELECT version FROM invoice WHERE id = ?", Long.class, longOne.id().value()))
                .isEqualTo(201);
        assertThat(jdbc.queryForObject("SELECT amount_paid FROM invoice WHERE id = ?", String.class,
                longOne.id().value())).isEqualTo("20.0000");
    }

    @Test
    void anInvoiceWithoutARowIsFoldedFromItsRecordedEvents() throws Exception {
        var invoice = InvoiceHistory.of(StoreId.generate(), "10.00", "USD");
        publish(invoice.create(T, null, T.plusSeconds(86_400)));
        publish(invoice.pay("1.00", T.plusSeconds(1)));
        awaitProjected();
        jdbc.update("DELETE FROM invoice WHERE id = ?", invoice.id().value());

        publish(invoice.pay("2.00", T.plusSeconds(2)));
        awaitProjected();

        assertThat(jdbc.queryForObject("SELECT version FROM invoice WHERE id = ?", Long.class, invoice.id().value()))
                .isEqualTo(3);
        assertThat(jdbc.queryForObject("SELECT view::text FROM invoice WHERE id = ?", String.class,
                invoice.id().value())).contains("\"amount_paid\":\"3.00\"", "\"amount_due\":\"7.00\"");
    }

    private JdbcCounter.Counts costOf(LedgerEvent event) throws Exception {
        var before = counter.counts("listener");
        publish(event, nextPosition());
        awaitProjected();
        return counter.counts("listener").minus(before);
    }
}
