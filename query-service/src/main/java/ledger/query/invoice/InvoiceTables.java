package ledger.query.invoice;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import ledger.events.CheckoutToken;
import ledger.events.InvoiceView;
import ledger.events.LedgerJson;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes invoice views into an invoice table — the live {@code invoice}, or {@code invoice_rebuild}
 * while a rebuild runs — and coordinates the live writers with the rebuild's switch-overs.
 *
 * <p>Coordination: every projection transaction holds {@link #WRITERS_LOCK} in shared mode from
 * its first statement to its commit; a rebuild takes it exclusively to start (create the new table,
 * raise the flag) and to swap tables. So each projection transaction either committed before the
 * rebuild's snapshot (and the rebuild sees its events) or sees the flag and writes to both tables;
 * none can fall between the two.
 */
@Component
public class InvoiceTables {

    public static final String LIVE = "invoice";
    public static final String REBUILD = "invoice_rebuild";
    public static final String PREVIOUS = "invoice_previous";
    /** The projection's name in {@code projection_rebuild}. */
    public static final String PROJECTION = "invoices";
    /** Advisory lock key: shared by projection writers, exclusive for a rebuild's start and swap. */
    public static final long WRITERS_LOCK = 0x51_50_49_4E_56_4FL;

    private static final ObjectWriter VIEW_JSON = LedgerJson.mapper().writerFor(InvoiceView.class);

    private static final String UPSERT = """
            INSERT INTO %1$s AS t (id, store_id, livemode, status, currency, amount, amount_paid, amount_due,
                                   external_order_id, created_at, updated_at, version, view, checkout_token)
            SELECT id, store_id, livemode, status, currency, amount, amount_paid, amount_due, external_order_id,
                   created_at, updated_at, version, view::json, checkout_token
            FROM unnest(?::text[], ?::text[], ?::boolean[], ?::text[], ?::text[], ?::numeric[], ?::numeric[],
                        ?::numeric[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::bigint[], ?::text[], ?::text[])
                 AS u(id, store_id, livemode, status, currency, amount, amount_paid, amount_due, external_order_id,
                      created_at, updated_at, version, view, checkout_token)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, amount_paid = excluded.amount_paid,
                amount_due = excluded.amount_due, updated_at = excluded.updated_at, version = excluded.version,
                view = excluded.view
            WHERE t.version < excluded.version""";

    private final JdbcTemplate jdbc;

    public InvoiceTables(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A view ready to be written: the store it belongs to and its JSON, serialised once. */
    public record Row(String storeId, InvoiceView view, String json) {

        public static Row of(String storeId, InvoiceView view) {
            try {
                return new Row(storeId, view, VIEW_JSON.writeValueAsString(view));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("view cannot be written as JSON: " + view.id(), e);
            }
        }
    }

    /**
     * Inserts or advances each row; a row never replaces a newer version, so redeliveries, stale
     * recomputations and the rebuild racing the live writers all converge on the highest version.
     * Rows are written in id order so concurrent writers lock rows in the same order.
     */
    public void upsert(String table, Collection<Row> rows) {
        if (!rows.isEmpty()) {
            jdbc.update(con -> upsertStatement(con, table, rows));
        }
    }

    private static PreparedStatement upsertStatement(Connection con, String table, Collection<Row> rows)
            throws SQLException {
        requireKnown(table);
        List<Row> sorted = rows.stream().sorted(Comparator.comparing(r -> r.view().id())).toList();
        int n = sorted.size();
        String[][] cols = new String[14][n];
        for (int i = 0; i < n; i++) {
            Row row = sorted.get(i);
            InvoiceView v = row.view();
            cols[0][i] = v.id();
            cols[1][i] = row.storeId();
            cols[2][i] = Boolean.toString(v.livemode());
            cols[3][i] = v.status().wireName();
            cols[4][i] = v.currency();
            cols[5][i] = v.amount();
            cols[6][i] = v.amountPaid();
            cols[7][i] = v.amountDue();
            cols[8][i] = v.externalOrderId();
            cols[9][i] = v.createdAt().toString();
            cols[10][i] = v.updatedAt().toString();
            cols[11][i] = Long.toString(v.version());
            cols[12][i] = row.json();
            // Fixed at creation (the checkout_url never changes), so the update below leaves it alone.
            cols[13][i] = CheckoutToken.ofCheckoutUrl(v.checkoutUrl()).map(CheckoutToken::value).orElse(null);
        }
        PreparedStatement ps = con.prepareStatement(UPSERT.formatted(table));
        for (int c = 0; c < cols.length; c++) {
            ps.setArray(c + 1, con.createArrayOf("text", cols[c]));
        }
        return ps;
    }

    /** Call first in a projection transaction: waits while a rebuild starts or swaps. */
    void lockShared() {
        jdbc.query("SELECT pg_advisory_xact_lock_shared(?)", rs -> null, WRITERS_LOCK);
    }

    /** Whether a rebuild is running, so writers must also keep its table current. */
    boolean rebuildRunning() {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM projection_rebuild WHERE projection = ? AND state = 'running')",
                Boolean.class, PROJECTION));
    }

    private static void requireKnown(String table) {
        if (!LIVE.equals(table) && !REBUILD.equals(table)) {
            throw new IllegalArgumentException("not an invoice table: " + table);
        }
    }
}
