package ledger.query.invoice;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import ledger.events.LedgerEvent;
import ledger.query.ledger.Delivered;
import ledger.query.ledger.LedgerEvents;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Applies a batch of ledger events to the read model in one transaction, idempotently and
 * independent of arrival order: each event is recorded once by its id, then every touched invoice's
 * view is recomputed from all of its recorded events ({@link InvoiceFold}). A redelivered event
 * records nothing and so changes nothing; an older event arriving late lands in its place.
 */
@Component
class InvoiceProjection {

    private final JdbcTemplate jdbc;
    private final LedgerEvents ledger;
    private final InvoiceTables tables;
    private final VersionWaiter waiter;
    private final ProjectionMetrics metrics;

    InvoiceProjection(JdbcTemplate jdbc, LedgerEvents ledger, InvoiceTables tables, VersionWaiter waiter,
                      ProjectionMetrics metrics) {
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.tables = tables;
        this.waiter = waiter;
        this.metrics = metrics;
    }

    /** Returns the events that were new (not applied before). */
    @Transactional
    public List<LedgerEvent> apply(List<Delivered> batch) {
        tables.lockShared();
        List<LedgerEvent> stored = ledger.append(batch);
        if (stored.isEmpty()) {
            return stored;
        }
        var invoiceIds = new TreeSet<String>();
        stored.forEach(e -> invoiceIds.add(e.invoiceId().value()));
        // Serialise writers of one invoice (a rebalance can briefly give two consumers one partition):
        // the second recomputes after the first committed, so it sees both events.
        jdbc.query(con -> {
            var ps = con.prepareStatement(
                    "SELECT pg_advisory_xact_lock(hashtext(id)) FROM unnest(?::text[]) AS id ORDER BY id");
            ps.setArray(1, con.createArrayOf("text", invoiceIds.toArray(new String[0])));
            return ps;
        }, rs -> { });
        var rows = new ArrayList<InvoiceTables.Row>();
        ledger.histories(invoiceIds).forEach((id, history) -> InvoiceFold.fold(history)
                .ifPresent(view -> rows.add(InvoiceTables.Row.of(history.get(0).storeId().value(), view))));
        tables.upsert(InvoiceTables.LIVE, rows);
        if (tables.rebuildRunning()) {
            tables.upsert(InvoiceTables.REBUILD, rows);
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                metrics.applied(stored);
                waiter.advanced();
            }
        });
        return stored;
    }
}
