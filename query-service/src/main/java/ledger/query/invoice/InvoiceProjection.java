package ledger.query.invoice;

import java.util.Collection;
import java.util.List;
import ledger.support.consumer.ConsumedBatch;
import ledger.support.consumer.InvoiceEventHandler;
import ledger.support.consumer.InvoiceStates;
import ledger.support.consumer.JdbcInvoiceStates;
import ledger.support.consumer.Received;
import org.apache.kafka.common.TopicPartition;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The invoice read model's part of the shared ledger consumer: each poll's changed invoice views are
 * upserted into {@code invoice} (and into a running rebuild's table) in the poll's transaction; after the
 * commit, read-your-writes waiters are woken and the projection lag recorded. The consumer has already
 * recorded each event once in {@code ledger_event} and folded each view only over its gap-free history,
 * starting from the view this projection keeps in {@code invoice} ({@link #invoiceStates}).
 */
@Component
class InvoiceProjection implements InvoiceEventHandler {

    private final InvoiceTables tables;
    private final VersionWaiter waiter;
    private final ProjectionMetrics metrics;

    InvoiceProjection(InvoiceTables tables, VersionWaiter waiter, ProjectionMetrics metrics) {
        this.tables = tables;
        this.waiter = waiter;
        this.metrics = metrics;
    }

    /**
     * The consumer moves each invoice on from its view in {@code invoice}, which {@link #apply} writes: one table,
     * one write per poll. After a rebuild's swap that table holds the views the current fold made.
     */
    @Bean
    static InvoiceStates invoiceStates(JdbcTemplate jdbc) {
        return JdbcInvoiceStates.keptByHandler(jdbc, InvoiceTables.LIVE);
    }

    @Override
    public void begin() {
        tables.lockShared();
    }

    @Override
    public void apply(ConsumedBatch batch) {
        if (batch.changed().isEmpty()) {
            return;
        }
        List<InvoiceTables.Row> rows = batch.changed().stream()
                .map(s -> new InvoiceTables.Row(s.storeId(), s.view(), s.json())).toList();
        tables.upsert(InvoiceTables.LIVE, rows);
        if (tables.rebuildRunning()) {
            tables.upsert(InvoiceTables.REBUILD, rows);
        }
    }

    @Override
    public void committed(ConsumedBatch batch) {
        if (!batch.recorded().isEmpty()) {
            metrics.applied(batch.recorded().stream().map(Received::event).toList());
            waiter.advanced();
        }
    }

    @Override
    public void behind(TopicPartition partition, long records) {
        metrics.behind(partition, records);
    }

    @Override
    public void released(Collection<TopicPartition> partitions) {
        metrics.released(partitions);
    }
}
