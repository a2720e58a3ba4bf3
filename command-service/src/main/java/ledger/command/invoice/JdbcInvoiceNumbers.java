package ledger.command.invoice;

import ledger.events.StoreId;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** One statement per create: advances the store's sequence row (created at its first invoice) under its lock. */
@Component
class JdbcInvoiceNumbers implements InvoiceNumbers {

    private static final String NEXT = """
            INSERT INTO invoice_number AS n (store_id, livemode, last_number) VALUES (?, ?, 1)
            ON CONFLICT (store_id, livemode) DO UPDATE SET last_number = n.last_number + 1
            RETURNING (SELECT invoice_prefix FROM store WHERE id = n.store_id), last_number""";

    private final JdbcTemplate jdbc;

    JdbcInvoiceNumbers(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String next(StoreId store, boolean livemode) {
        return jdbc.queryForObject(NEXT, (rs, i) -> InvoiceNumbers.format(rs.getString(1), rs.getLong(2)),
                store.value(), livemode);
    }
}
