package ledger.query.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import ledger.events.StoreId;
import ledger.query.InvoiceHistory;
import ledger.query.QueryIntegrationTest;
import ledger.query.invoice.InvoiceTables;
import org.junit.jupiter.api.Test;

/**
 * The replay's paging against real PostgreSQL: with pages, fetches and folders' chunks far smaller than an
 * invoice's history, invoices straddle every kind of boundary, and the replayed table still equals the live one.
 */
class LedgerReplayIT extends QueryIntegrationTest {

    @Test
    void invoicesStraddlingPagesFetchesAndChunksReplayToTheLiveTable() throws Exception {
        var store = StoreId.generate();
        Instant t = Instant.parse("2026-08-01T00:00:00Z");
        var sent = new ArrayList<Future<?>>();
        for (int i = 0; i < 40; i++) {
            var invoice = InvoiceHistory.of(store, "50.00", "USD");
            sent.add(send(invoice.create(t.plusSeconds(i), null, null), nextPosition()));
            for (int p = 0; p < i % 4; p++) {
                sent.add(send(invoice.pay("5.00", t.plusSeconds(i + p + 1)), nextPosition()));
            }
        }
        for (var f : sent) {
            f.get();
        }
        awaitProjected();

        ExecutorService folders = Executors.newFixedThreadPool(2);
        try (Connection source = jdbc.getDataSource().getConnection();
             Connection target = jdbc.getDataSource().getConnection()) {
            source.setAutoCommit(false);
            source.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            long total;
            try (Statement count = source.createStatement();
                 ResultSet rs = count.executeQuery("SELECT count(*) FROM ledger_event")) {
                rs.next();
                total = rs.getLong(1);
            }
            var progressed = new AtomicLong();
            var replay = new LedgerReplay(folders, 2, new LedgerReplay.Sizes(7, 3, 5));

            assertThat(replay.run(source, target, progressed::incrementAndGet)).isEqualTo(total);
            source.commit();

            assertThat(progressed.get()).isEqualTo(total);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM " + InvoiceTables.REPLAYED + " WHERE store_id = ?",
                    Long.class, store.value())).isEqualTo(40);
            assertThat(rowsOf(InvoiceTables.REPLAYED, store)).isEqualTo(rowsOf(InvoiceTables.LIVE, store));
        } finally {
            folders.shutdownNow();
            jdbc.execute("DROP TABLE IF EXISTS " + InvoiceTables.REPLAYED);
        }
    }

    /** The store's rows of {@code table}, as a checksum (store ids are base62, safe to inline). */
    private String rowsOf(String table, StoreId store) {
        return checksum("(SELECT * FROM " + table + " WHERE store_id = '" + store.value() + "')", "t.id");
    }
}
