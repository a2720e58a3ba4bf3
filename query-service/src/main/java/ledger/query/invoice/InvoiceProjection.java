package ledger.query.invoice;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.util.List;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies one ledger event to the read model, idempotently and independent of arrival order:
 * the event is recorded once by its id, then the invoice's view is recomputed from every recorded
 * event of that invoice, in sequence order. A redelivered event changes nothing; an older event
 * arriving late still lands in its place.
 */
@Component
class InvoiceProjection {

    private static final ObjectMapper JSON = LedgerJson.mapper();

    private final JdbcTemplate jdbc;

    InvoiceProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Returns false when the event was already applied. */
    @Transactional
    boolean apply(LedgerEvent event) throws JsonProcessingException {
        int inserted = jdbc.update("""
                INSERT INTO ledger_event (event_id, invoice_id, store_id, sequence, type, occurred_at, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?::json) ON CONFLICT DO NOTHING""",
                event.eventId().value(), event.invoiceId().value(), event.storeId().value(), event.sequence(),
                event.type(), Timestamp.from(event.occurredAt()),
                JSON.writerFor(LedgerEvent.class).writeValueAsString(event));
        if (inserted == 0) {
            return false;
        }
        // Serialise writers of one invoice (a rebalance can briefly give two consumers the same partition).
        jdbc.queryForList("SELECT pg_advisory_xact_lock(hashtext(?))", event.invoiceId().value());
        List<LedgerEvent> history = jdbc.query(
                "SELECT payload FROM ledger_event WHERE invoice_id = ? ORDER BY sequence",
                (rs, i) -> read(rs.getString(1)), event.invoiceId().value());
        if (!(history.get(0) instanceof InvoiceCreated)) {
            return true; // its InvoiceCreated has not arrived yet; the view is built when it does
        }
        upsert(InvoiceView.replay(history));
        return true;
    }

    private void upsert(InvoiceView view) throws JsonProcessingException {
        jdbc.update("""
                INSERT INTO invoice (id, store_id, status, currency, amount, amount_paid, amount_due, external_order_id,
                                     created_at, updated_at, version, view)
                VALUES (?, (SELECT store_id FROM ledger_event WHERE invoice_id = ? LIMIT 1), ?, ?, ?::numeric,
                        ?::numeric, ?::numeric, ?, ?, ?, ?, ?::json)
                ON CONFLICT (id) DO UPDATE SET status = excluded.status, amount_paid = excluded.amount_paid,
                    amount_due = excluded.amount_due, updated_at = excluded.updated_at, version = excluded.version,
                    view = excluded.view
                WHERE invoice.version <= excluded.version""",
                view.id(), view.id(), view.status().wireName(), view.currency(), view.amount(), view.amountPaid(),
                view.amountDue(), view.externalOrderId(), Timestamp.from(view.createdAt()),
                Timestamp.from(view.updatedAt()), view.version(), JSON.writeValueAsString(view));
    }

    private static LedgerEvent read(String json) {
        try {
            return JSON.readValue(json, LedgerEvent.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored event is unreadable", e);
        }
    }
}
