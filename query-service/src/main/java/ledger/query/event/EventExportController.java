package ledger.query.event;

import com.fasterxml.jackson.core.JsonGenerator;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Locale;
import javax.sql.DataSource;
import ledger.query.QueryProperties;
import ledger.query.web.Instants;
import ledger.support.auth.ApiPrincipal;
import ledger.support.auth.RequiresScope;
import ledger.support.auth.Scopes;
import ledger.support.web.ApiException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/exports/events}: the events of the key's store and mode with {@code from <= created_at < to}
 * (and the events feed's {@code type} and {@code invoice} filters), oldest
 * first in commit order, as NDJSON (one API event object per line) or CSV. Memory stays constant
 * whatever the size: rows come from a server-side cursor ({@code fetchSize} rows per round trip,
 * which PostgreSQL only does inside a transaction) and go straight to the response stream.
 */
@RestController
class EventExportController {

    static final String[] CSV_HEADER = {"id", "type", "invoice", "sequence", "created_at", "status", "currency",
            "amount", "amount_paid", "amount_due", "data"};

    private final JdbcTemplate cursor;
    private final TransactionTemplate readOnly;

    EventExportController(DataSource dataSource, PlatformTransactionManager transactions, QueryProperties properties) {
        this.cursor = new JdbcTemplate(dataSource);
        this.cursor.setFetchSize(properties.exportFetchSize());
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    @GetMapping("/v1/exports/events")
    @RequiresScope(Scopes.EVENTS_READ)
    void export(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
                @RequestParam(required = false, defaultValue = "ndjson") String format,
                @RequestParam(required = false) String type, @RequestParam(required = false) String invoice,
                ApiPrincipal principal, HttpServletResponse response) throws IOException {
        Instant start = Instants.parse("from", from);
        Instant end = Instants.parse("to", to);
        if (start != null && end != null && !start.isBefore(end)) {
            throw ApiException.invalid("to", "to must be after from");
        }
        String kind = format.toLowerCase(Locale.ROOT);
        if (!kind.equals("ndjson") && !kind.equals("csv")) {
            throw ApiException.invalid("format", "format must be ndjson or csv");
        }
        var sql = new StringBuilder("SELECT " + EventRow.COLUMNS
                + " FROM ledger_event WHERE store_id = ? AND livemode = ?");
        var args = new ArrayList<Object>();
        args.add(principal.storeId().value());
        args.add(principal.livemode());
        if (start != null) {
            sql.append(" AND occurred_at >= ?");
            args.add(Instants.sql(start));
        }
        if (end != null) {
            sql.append(" AND occurred_at < ?");
            args.add(Instants.sql(end));
        }
        EventFilters.appendTo(type, invoice, sql, args);
        sql.append(" ORDER BY position, received_seq");

        response.setCharacterEncoding("UTF-8");
        response.setContentType(kind.equals("csv") ? "text/csv;charset=UTF-8" : "application/x-ndjson");
        response.setHeader("Content-Disposition", "attachment; filename=\"ledger-events." + kind + "\"");
        response.setHeader("Cache-Control", "no-store");
        try (Writer out = new BufferedWriter(new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8),
                16 * 1024)) {
            RowWriter rows = kind.equals("csv") ? csv(out) : ndjson(out);
            readOnly.executeWithoutResult(tx -> cursor.query(sql.toString(), rows, args.toArray()));
            rows.finish();
        } catch (UncheckedIOException e) {
            throw e.getCause(); // the client went away: nothing to answer
        }
    }

    /** Writes each row as it comes; {@link #finish} flushes what is buffered. */
    private interface RowWriter extends RowCallbackHandler {
        void finish() throws IOException;
    }

    private static RowWriter ndjson(Writer out) throws IOException {
        // Buffers are flushed by the writer when full, never per row.
        JsonGenerator g = EventRow.JSON.createGenerator(out).disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
        g.setRootValueSeparator(null);
        return new RowWriter() {
            @Override
            public void processRow(java.sql.ResultSet rs) throws java.sql.SQLException {
                try {
                    EventRow.read(rs).write(g);
                    g.writeRaw('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void finish() throws IOException {
                g.flush();
            }
        };
    }

    private static RowWriter csv(Writer out) throws IOException {
        Csv.row(out, CSV_HEADER);
        return new RowWriter() {
            @Override
            public void processRow(java.sql.ResultSet rs) throws java.sql.SQLException {
                EventRow e = EventRow.read(rs);
                try {
                    Csv.row(out, e.id(), e.type(), e.invoice(), Long.toString(e.sequence()), e.createdAt().toString(),
                            e.status(), e.currency(), e.money(e.amount()), e.money(e.amountPaid()),
                            e.money(e.amountDue()), e.data());
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }

            @Override
            public void finish() {
                // the CSV rows went straight to the writer
            }
        };
    }
}
