package ledger.webhook.inbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.util.List;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.webhook.delivery.WebhookEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Records events in the inbox and publishes them as webhooks strictly in each invoice's sequence order,
 * keeping the invoice's view after the last published event ({@code invoice_state}). An event that
 * arrives before its predecessor waits in the inbox and is published as soon as the gap is filled, so
 * every payload carries the invoice exactly as it stood after its event.
 */
@Component
class InvoiceTimeline {

    private static final Logger log = LoggerFactory.getLogger(InvoiceTimeline.class);
    private static final ObjectMapper JSON = LedgerJson.mapper();

    private final JdbcTemplate jdbc;
    private final WebhookEvents webhooks;

    InvoiceTimeline(JdbcTemplate jdbc, WebhookEvents webhooks) {
        this.jdbc = jdbc;
        this.webhooks = webhooks;
    }

    /** Returns false when the event had been recorded before. */
    @Transactional
    boolean record(LedgerEvent event, String json) throws JsonProcessingException {
        int inserted = jdbc.update("""
                INSERT INTO event_inbox (event_id, invoice_id, store_id, sequence, type, occurred_at, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?::json) ON CONFLICT DO NOTHING""",
                event.eventId().value(), event.invoiceId().value(), event.storeId().value(), event.sequence(),
                event.type(), Timestamp.from(event.occurredAt()), json);
        if (inserted == 0) {
            return false;
        }
        String invoiceId = event.invoiceId().value();
        // One writer per invoice at a time (a rebalance can briefly give two consumers the same partition).
        jdbc.queryForList("SELECT pg_advisory_xact_lock(hashtext(?))", invoiceId);
        InvoiceView view = jdbc.query("SELECT view FROM invoice_state WHERE invoice_id = ?",
                rs -> rs.next() ? read(rs.getString(1), InvoiceView.class) : null, invoiceId);
        long version = view == null ? 0 : view.version();
        long start = version;
        while (true) {
            List<String> next = jdbc.query("""
                    SELECT payload FROM event_inbox WHERE invoice_id = ? AND sequence = ?
                    ORDER BY received_at LIMIT 1""", (rs, i) -> rs.getString(1), invoiceId, version + 1);
            if (next.isEmpty()) {
                break;
            }
            LedgerEvent e = read(next.get(0), LedgerEvent.class);
            if (view == null) {
                if (!(e instanceof InvoiceCreated created)) {
                    log.error("Invoice {} starts with {} instead of InvoiceCreated; its webhooks wait", invoiceId,
                            e.type());
                    break;
                }
                view = InvoiceView.created(created);
            } else {
                view = view.apply(e);
            }
            webhooks.publish(e, view);
            version = e.sequence();
        }
        if (version > start) {
            jdbc.update("""
                    INSERT INTO invoice_state (invoice_id, store_id, version, view) VALUES (?, ?, ?, ?)
                    ON CONFLICT (invoice_id) DO UPDATE SET version = excluded.version, view = excluded.view""",
                    invoiceId, event.storeId().value(), version, JSON.writeValueAsString(view));
        } else if (event.sequence() > version + 1) {
            log.info("Event {} of invoice {} waits for sequence {}", event.eventId(), invoiceId, version + 1);
        }
        return true;
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " is unreadable", e);
        }
    }
}
