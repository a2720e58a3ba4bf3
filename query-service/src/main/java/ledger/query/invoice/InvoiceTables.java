package ledger.query.invoice;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import ledger.events.CheckoutToken;
import ledger.events.InstantText;
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
    /** The table a rebuild loads from the ledger, becoming {@link #LIVE} at its swap. */
    public static final String REPLAYED = "invoice_replayed";
    /** The projection's name in {@code projection_rebuild}. */
    public static final String PROJECTION = "invoices";
    /** Advisory lock key: shared by projection writers, exclusive for a rebuild's start and swap. */
    public static final long WRITERS_LOCK = 0x51_50_49_4E_56_4FL;

    private static final ObjectWriter VIEW_JSON = LedgerJson.mapper().writerFor(InvoiceView.class);
    /** The same JSON as {@link #VIEW_JSON} writes as text, emoji and all, but encoded as it is written. */
    private static final ObjectWriter VIEW_UTF8 = VIEW_JSON.with(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8);

    /** The columns a row is written with, in the order of {@link Row#values}. */
    public static final String COLUMNS = "id, store_id, livemode, status, currency, amount, amount_paid, amount_due,"
            + " external_order_id, created_at, updated_at, version, view, checkout_token, overdue, number";

    // Rows only ever advance to a higher version, whoever writes them (see upsert and merge).
    private static final String ON_CONFLICT = """
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, amount_paid = excluded.amount_paid,
                amount_due = excluded.amount_due, updated_at = excluded.updated_at, version = excluded.version,
                view = excluded.view, overdue = excluded.overdue
            WHERE t.version < excluded.version""";

    private static final String UPSERT = "INSERT INTO %1$s AS t (" + COLUMNS + ")" + """

            SELECT id, store_id, livemode, status, currency, amount, amount_paid, amount_due, external_order_id,
                   created_at, updated_at, version, view::json, checkout_token, overdue, number
            FROM unnest(?::text[], ?::text[], ?::boolean[], ?::text[], ?::text[], ?::numeric[], ?::numeric[],
                        ?::numeric[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::bigint[], ?::text[], ?::text[],
                        ?::boolean[], ?::text[])
                 AS u(id, store_id, livemode, status, currency, amount, amount_paid, amount_due, external_order_id,
                      created_at, updated_at, version, view, checkout_token, overdue, number)
            """ + ON_CONFLICT;

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

        /** The row's values, every one text, in {@link #COLUMNS} order; null for SQL NULL. */
        public String[] values() {
            Object[] typed = columns(storeId, view, json);
            String[] text = new String[typed.length];
            for (int i = 0; i < typed.length; i++) {
                text[i] = text(typed[i]);
            }
            return text;
        }
    }

    /**
     * The rebuild's row of {@code view}, for a binary {@code COPY}: the values of {@link Row#values()} as the
     * columns' types — {@link String}, {@link Boolean}, {@link BigDecimal}, {@link Instant}, {@link Long} — and the
     * view's JSON written straight to UTF-8 bytes. As text it was built as chars, copied into a String, then
     * encoded: the rebuild of a million events took 12 % more of query-service's CPU.
     */
    public static Object[] copyValues(String storeId, InvoiceView view) {
        try {
            return columns(storeId, view, VIEW_UTF8.writeValueAsBytes(view));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("view cannot be written as JSON: " + view.id(), e);
        }
    }

    private static Object[] columns(String storeId, InvoiceView view, Object json) {
        return new Object[] {view.id(), storeId, view.livemode(), view.status().wireName(), view.currency(),
                new BigDecimal(view.amount()), new BigDecimal(view.amountPaid()), new BigDecimal(view.amountDue()),
                view.externalOrderId(), view.createdAt(), view.updatedAt(), view.version(), json,
                // Fixed at creation (the checkout_url never changes), so an update leaves it alone.
                CheckoutToken.ofCheckoutUrl(view.checkoutUrl()).map(CheckoutToken::value).orElse(null),
                view.overdue(),
                view.number()}; // fixed at creation too
    }

    /** A column's value as the upsert sends it, cast in SQL: exact for numerics, zone-safe for instants. */
    private static String text(Object value) {
        if (value instanceof Instant instant) {
            return InstantText.format(instant);
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.toPlainString();
        }
        return value == null ? null : value.toString();
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
        String[][] cols = new String[16][n];
        for (int i = 0; i < n; i++) {
            String[] values = sorted.get(i).values();
            for (int c = 0; c < values.length; c++) {
                cols[c][i] = values[c];
            }
        }
        PreparedStatement ps = con.prepareStatement(UPSERT.formatted(table));
        for (int c = 0; c < cols.length; c++) {
            ps.setArray(c + 1, con.createArrayOf("text", cols[c]));
        }
        return ps;
    }

    /**
     * Upserts every row of {@code source} into {@code target} by the rule of {@link #upsert}: a rebuild
     * hands over what the live writers wrote to {@link #REBUILD} while it loaded its own table.
     */
    public void merge(String source, String target) {
        requireKnown(source);
        requireKnown(target);
        jdbc.update("INSERT INTO " + target + " AS t (" + COLUMNS + ") SELECT " + COLUMNS + " FROM " + source
                + " ORDER BY id " + ON_CONFLICT);
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
        if (!LIVE.equals(table) && !REBUILD.equals(table) && !REPLAYED.equals(table)) {
            throw new IllegalArgumentException("not an invoice table: " + table);
        }
    }
}
