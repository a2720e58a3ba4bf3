package ledger.webhook.inbox;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ledger.events.LedgerEvent;
import ledger.support.consumer.LedgerInbox;
import ledger.support.consumer.Received;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The dispatcher's inbox for the shared ledger consumer (consumer group {@code webhook-dispatcher}): every
 * ledger event taken from Kafka, recorded once by its id in {@code event_inbox}, the durable source that
 * deliveries are planned from; an event that came before its predecessor waits here.
 */
@Component
class EventInbox implements LedgerInbox {


    private final JdbcTemplate jdbc;

    EventInbox(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Set<String> record(List<Received> events) {
        int n = events.size();
        String[] ids = new String[n];
        String[] invoices = new String[n];
        String[] stores = new String[n];
        Long[] sequences = new Long[n];
        String[] types = new String[n];
        String[] occurred = new String[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            LedgerEvent e = events.get(i).event();
            ids[i] = e.eventId().value();
            invoices[i] = e.invoiceId().value();
            stores[i] = e.storeId().value();
            sequences[i] = e.sequence();
            types[i] = e.type();
            occurred[i] = e.occurredAt().toString();
            payloads[i] = events.get(i).json();
        }
        Set<String> inserted = new HashSet<>();
        jdbc.query("""
                INSERT INTO event_inbox (event_id, invoice_id, store_id, sequence, type, occurred_at, payload)
                SELECT event_id, invoice_id, store_id, seq, type, occurred::timestamptz, payload::json
                FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[])
                     AS r(event_id, invoice_id, store_id, seq, type, occurred, payload)
                ON CONFLICT DO NOTHING
                RETURNING event_id""", rs -> {
                    inserted.add(rs.getString(1));
                }, ids, invoices, stores, sequences, types, occurred, payloads);
        return inserted;
    }

    @Override
    public List<LedgerEvent> recordedAfter(Map<String, Long> versions, Set<String> recordedNow) {
        return LedgerInbox.recordedAfter(jdbc, "event_inbox", "received_at", versions, recordedNow);
    }
}
