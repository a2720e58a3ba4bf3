package ledger.command.invoice;

import ledger.events.InvoiceId;
import ledger.events.StoreId;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

@Component
class JdbcExternalOrderIds implements ExternalOrderIds {

    private final JdbcTemplate jdbc;

    JdbcExternalOrderIds(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean claim(StoreId store, boolean livemode, String externalOrderId, InvoiceId invoice) {
        // A concurrent claim of the same id waits on the primary key until the first commits or rolls back.
        return jdbc.update("""
                INSERT INTO open_external_order_id (store_id, livemode, external_order_id, invoice_id)
                VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""", store.value(), livemode, externalOrderId,
                invoice.value()) == 1;
    }

    @Override
    public void release(StoreId store, boolean livemode, String externalOrderId, InvoiceId invoice) {
        jdbc.update("""
                DELETE FROM open_external_order_id
                WHERE store_id = ? AND livemode = ? AND external_order_id = ? AND invoice_id = ?""",
                store.value(), livemode, externalOrderId, invoice.value());
    }
}
