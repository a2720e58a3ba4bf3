package ledger.support.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ledger.events.InvoiceView;
import ledger.events.LedgerJson;
import ledger.support.consumer.ConsumedBatch.InvoiceState;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link InvoiceStates} in a table of the service's schema, one statement per call for any number of invoices:
 * either the consumer's own {@code invoice_state}, or a table in which the service's handler already keeps
 * each invoice's view (query-service's read model), which the consumer then only reads.
 */
public final class JdbcInvoiceStates implements InvoiceStates {

    private static final ObjectReader VIEW = LedgerJson.mapper().readerFor(InvoiceView.class);

    private final JdbcTemplate jdbc;
    private final String select;
    private final boolean saves;

    private JdbcInvoiceStates(JdbcTemplate jdbc, String select, boolean saves) {
        this.jdbc = jdbc;
        this.select = select;
        this.saves = saves;
    }

    /** The consumer's own table {@code invoice_state (invoice_id, store_id, version, view)}. */
    public static JdbcInvoiceStates own(JdbcTemplate jdbc) {
        return new JdbcInvoiceStates(jdbc,
                "SELECT invoice_id, store_id, view FROM invoice_state WHERE invoice_id = ANY (?)", true);
    }

    /**
     * The views in the handler's {@code table} ({@code id, store_id, view} columns), which its
     * {@link InvoiceEventHandler#apply} writes in the same transaction: storing them again would only copy them.
     */
    public static JdbcInvoiceStates keptByHandler(JdbcTemplate jdbc, String table) {
        return new JdbcInvoiceStates(jdbc, "SELECT id, store_id, view::text FROM " + table + " WHERE id = ANY (?)",
                false);
    }

    @Override
    public Map<String, InvoiceState> lock(List<String> invoiceIds) {
        String[] ids = invoiceIds.toArray(String[]::new);
        // Taken in the order of the lock keys, the same in every transaction, so two writers can't deadlock.
        // Keyed by the service's schema too: advisory locks are database-wide, and the services sharing one
        // database would otherwise wait for each other's transaction on every event of an invoice.
        // A statement of its own: the next one's snapshot must begin after the locks are held.
        jdbc.queryForList("""
                SELECT count(pg_advisory_xact_lock(hashtext(current_schema()), h))
                FROM (SELECT DISTINCT hashtext(id) AS h FROM unnest(?::text[]) AS id ORDER BY h) locks""",
                (Object) ids);
        Map<String, InvoiceState> states = new HashMap<>();
        jdbc.query(select, rs -> {
            String json = rs.getString(3);
            states.put(rs.getString(1), new InvoiceState(rs.getString(2), read(json), json));
        }, (Object) ids);
        return states;
    }

    @Override
    public void save(Collection<InvoiceState> states) {
        if (!saves || states.isEmpty()) {
            return;
        }
        int n = states.size();
        String[] ids = new String[n];
        String[] stores = new String[n];
        Long[] versions = new Long[n];
        String[] views = new String[n];
        int i = 0;
        for (InvoiceState state : states) {
            ids[i] = state.view().id();
            stores[i] = state.storeId();
            versions[i] = state.view().version();
            views[i] = state.json();
            i++;
        }
        jdbc.update("""
                INSERT INTO invoice_state (invoice_id, store_id, version, view)
                SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[])
                ON CONFLICT (invoice_id) DO UPDATE SET version = excluded.version, view = excluded.view""",
                ids, stores, versions, views);
    }

    private static InvoiceView read(String json) {
        try {
            return VIEW.readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored invoice view is unreadable", e);
        }
    }
}
