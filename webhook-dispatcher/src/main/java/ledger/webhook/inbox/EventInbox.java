package ledger.webhook.inbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Takes every ledger event from Kafka (consumer group {@code webhook-dispatcher}) into the
 * {@code event_inbox} table. The offset is committed only after the insert committed, so no event is
 * skipped; a redelivered record hits the primary key and changes nothing.
 */
@Component
class EventInbox {

    private final JdbcTemplate jdbc;
    private final Counter received;
    private final Counter duplicates;

    EventInbox(JdbcTemplate jdbc, MeterRegistry metrics) {
        this.jdbc = jdbc;
        this.received = metrics.counter("ledger.webhook.inbox.events", "outcome", "recorded");
        this.duplicates = metrics.counter("ledger.webhook.inbox.events", "outcome", "duplicate");
    }

    @KafkaListener(topics = "${ledger.topics.invoice-events:ledger.invoice-events}")
    void on(ConsumerRecord<String, String> record) throws JsonProcessingException {
        LedgerEvent event = LedgerJson.mapper().readValue(record.value(), LedgerEvent.class);
        int inserted = jdbc.update("""
                INSERT INTO event_inbox (event_id, invoice_id, store_id, sequence, type, occurred_at, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?::json) ON CONFLICT DO NOTHING""",
                event.eventId().value(), event.invoiceId().value(), event.storeId().value(), event.sequence(),
                event.type(), Timestamp.from(event.occurredAt()), record.value());
        (inserted == 1 ? received : duplicates).increment();
    }
}
