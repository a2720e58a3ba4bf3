package ledger.query.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ledger.events.CreditNoteIssued;
import ledger.events.InvoiceCreated;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.PaymentReceived;
import ledger.events.RefundIssued;
import ledger.query.web.Instants;
import ledger.support.auth.ApiPrincipal;
import ledger.support.consumer.LedgerInbox;
import ledger.support.consumer.Received;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The query-service's inbox for the shared {@link ledger.support.consumer.LedgerConsumer}: appends received
 * events to {@code ledger_event} once each, and hands back the ones still waiting for a predecessor. A whole
 * Kafka batch is one statement ({@code unnest} of arrays), which keeps the cost per event low; the event id
 * is the dedupe key, so a redelivery inserts nothing. Its {@code amount} column is the invoice's amount for an
 * {@link InvoiceCreated} and the payment's, refund's or credit note's for those events, so reports sum in SQL.
 */
@Component
public class LedgerEvents implements LedgerInbox {

    private static final ObjectReader READER = LedgerJson.mapper().readerFor(LedgerEvent.class);
    private static final ObjectWriter WRITER = LedgerJson.mapper().writerFor(LedgerEvent.class);

    // Arrays travel as text[] and are cast in SQL: exact for numerics, zone-safe for instants.
    // Only InvoiceCreated carries the mode; a later event takes its invoice's, from the same batch (set by
    // insert()) or else the table. One stored before its InvoiceCreated (out of order) gets it when that arrives.
    private static final String INSERT = """
            WITH u AS (
                SELECT t.*, nextval('ledger_event_received_seq') AS received_seq
                FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::timestamptz[], ?::text[],
                            ?::bigint[], ?::text[], ?::text[], ?::numeric[], ?::numeric[], ?::numeric[], ?::date[],
                            ?::timestamptz[], ?::boolean[])
                     WITH ORDINALITY AS t(event_id, invoice_id, store_id, sequence, type, occurred_at, payload,
                                          global_position, status, currency, amount, amount_paid, amount_due,
                                          due_date, expires_at, livemode, n)
                ORDER BY t.n),
            earlier AS (
                UPDATE ledger_event e SET livemode = u.livemode
                FROM u
                WHERE u.type = 'InvoiceCreated' AND e.invoice_id = u.invoice_id AND e.livemode IS NULL)
            INSERT INTO ledger_event (event_id, invoice_id, store_id, sequence, type, occurred_at, payload,
                                      global_position, received_seq, position, status, currency, amount,
                                      amount_paid, amount_due, due_date, expires_at, livemode)
            SELECT event_id, invoice_id, store_id, sequence, type, occurred_at, payload::json, global_position,
                   received_seq, coalesce(global_position, received_seq), status, currency, amount, amount_paid,
                   amount_due, due_date, expires_at,
                   coalesce(livemode, (SELECT c.livemode FROM ledger_event c
                                       WHERE c.invoice_id = u.invoice_id AND c.sequence = 1 AND c.type = 'InvoiceCreated'))
            FROM u ORDER BY n
            ON CONFLICT DO NOTHING
            RETURNING event_id""";

    private final JdbcTemplate jdbc;

    public LedgerEvents(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores the events not stored yet and returns their ids. A redelivered event and a second event
     * claiming an invoice's taken sequence are not stored.
     */
    @Override
    public Set<String> record(List<Received> events) {
        var stored = new HashSet<String>();
        jdbc.query(con -> insert(con, events), rs -> {
            stored.add(rs.getString(1));
        });
        return stored;
    }

    /** Served by the (invoice_id, sequence) index: an invoice's events above a version, not its history. */
    @Override
    public List<LedgerEvent> recordedAfter(Map<String, Long> versions, Set<String> recordedNow) {
        return LedgerInbox.recordedAfter(jdbc, "ledger_event", "received_seq", versions, recordedNow);
    }

    private static PreparedStatement insert(Connection con, List<Received> rows) throws SQLException {
        int n = rows.size();
        String[][] cols = new String[16][n];
        var modes = new HashMap<String, String>();
        for (Received r : rows) {
            if (r.event() instanceof InvoiceCreated c) {
                modes.put(c.invoiceId().value(), Boolean.toString(c.livemode()));
            }
        }
        for (int i = 0; i < n; i++) {
            LedgerEvent e = rows.get(i).event();
            Long position = rows.get(i).globalPosition();
            cols[0][i] = e.eventId().value();
            cols[1][i] = e.invoiceId().value();
            cols[2][i] = e.storeId().value();
            cols[3][i] = Long.toString(e.sequence());
            cols[4][i] = e.type();
            cols[5][i] = e.occurredAt().toString();
            cols[6][i] = write(e);
            cols[7][i] = position == null ? null : position.toString();
            cols[8][i] = e.status().wireName();
            cols[9][i] = e.amountPaid().currency().getCurrencyCode();
            if (e instanceof InvoiceCreated c) {
                cols[10][i] = c.amount().toPlainString();
                cols[13][i] = c.dueDate() == null ? null : c.dueDate().toString();
                cols[14][i] = c.expiresAt() == null ? null : c.expiresAt().toString();
            } else if (e instanceof PaymentReceived p) {
                cols[10][i] = p.amount().toPlainString();
            } else if (e instanceof RefundIssued r) {
                cols[10][i] = r.amount().toPlainString();
            } else if (e instanceof CreditNoteIssued note) {
                cols[10][i] = note.amount().toPlainString();
            }
            cols[11][i] = e.amountPaid().toPlainString();
            cols[15][i] = modes.get(e.invoiceId().value());
            cols[12][i] = e.amountDue().toPlainString();
        }
        PreparedStatement ps = con.prepareStatement(INSERT);
        for (int c = 0; c < cols.length; c++) {
            Array array = con.createArrayOf("text", cols[c]);
            ps.setArray(c + 1, array);
        }
        return ps;
    }

    /** One invoice's events that occurred at or before {@code asOf}, in sequence order; another ledger's: none. */
    public List<LedgerEvent> historyAsOf(String invoiceId, ApiPrincipal ledger, java.time.Instant asOf) {
        return jdbc.query("""
                SELECT payload FROM ledger_event
                WHERE invoice_id = ? AND store_id = ? AND livemode = ? AND occurred_at <= ?
                ORDER BY sequence""", (rs, i) -> parse(rs.getString(1)), invoiceId, ledger.storeId().value(),
                ledger.livemode(), Instants.sql(asOf));
    }

    /** Reads a stored event; stored events were written by {@link #write}, so failure is a bug. */
    public static LedgerEvent parse(String json) {
        try {
            return READER.readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored event is unreadable", e);
        }
    }

    /** {@link #parse(String)} of the event's UTF-8 bytes as stored, without decoding them to a string first. */
    public static LedgerEvent parse(byte[] json) {
        try {
            return READER.readValue(json);
        } catch (IOException e) {
            throw new IllegalStateException("stored event is unreadable", e);
        }
    }

    static String write(LedgerEvent event) {
        try {
            return WRITER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event cannot be written as JSON: " + event.eventId(), e);
        }
    }
}
