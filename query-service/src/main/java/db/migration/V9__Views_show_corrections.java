package db.migration;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.util.ArrayList;
import java.util.List;
import ledger.events.InvoiceView;
import ledger.events.LedgerJson;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Refunds and credit notes (SPEC §4.5) added {@code amount_credited}, {@code amount_refunded}, {@code refunds} and
 * {@code credit_notes} to every invoice. A view stored before reads them as none ({@link InvoiceView}'s constructor),
 * but reads are served from the stored JSON: this writes each such view again as {@link InvoiceView} writes it, so
 * an old invoice shows them too, at once. In Java because only the view's own serialiser gives the same JSON (and
 * key order) a new view has. A rebuild interrupted by this upgrade is ended, as V7 and V8 did.
 */
public class V9__Views_show_corrections extends BaseJavaMigration {

    private static final ObjectReader READ = LedgerJson.mapper().readerFor(InvoiceView.class);
    private static final ObjectWriter WRITE = LedgerJson.mapper().writerFor(InvoiceView.class);
    private static final int BATCH = 1000;

    @Override
    public void migrate(Context context) throws Exception {
        var jdbc = new JdbcTemplate(new SingleConnectionDataSource(context.getConnection(), true));
        jdbc.update("UPDATE projection_rebuild SET state = 'failed', finished_at = now(),"
                + " error = 'interrupted by the corrections migration (V9)' WHERE state = 'running'");
        jdbc.execute("DROP TABLE IF EXISTS invoice_rebuild");
        jdbc.execute("DROP TABLE IF EXISTS invoice_replayed");
        String after = "";
        while (true) {
            List<Object[]> rewritten = new ArrayList<>();
            jdbc.query("SELECT id, view::text FROM invoice WHERE id > ? AND view::jsonb -> 'amount_credited' IS NULL"
                    + " ORDER BY id LIMIT " + BATCH, rs -> {
                        try {
                            InvoiceView view = READ.readValue(rs.getString(2));
                            rewritten.add(new Object[] {WRITE.writeValueAsString(view), rs.getString(1)});
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException("stored view of " + rs.getString(1) + " is unreadable", e);
                        }
                    }, after);
            if (rewritten.isEmpty()) {
                return;
            }
            jdbc.batchUpdate("UPDATE invoice SET view = ?::json WHERE id = ?", rewritten);
            after = (String) rewritten.get(rewritten.size() - 1)[1];
        }
    }
}
