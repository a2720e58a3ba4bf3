package ledger.command.relay;

import com.fasterxml.jackson.databind.ObjectWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.support.LedgerProperties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * The outbox relay: a tracking processor over the event store that publishes every ledger event to
 * Kafka, keyed by invoice id (so each invoice's events stay in order on one partition). It waits for
 * the broker's acknowledgement before returning, and its errors propagate (see RelayConfig), so the
 * processor's token only moves past events Kafka has: at-least-once, never lost.
 */
@Component
@ProcessingGroup(KafkaRelay.GROUP)
class KafkaRelay {

    static final String GROUP = "kafka-relay";
    private static final ObjectWriter WRITER = LedgerJson.mapper().writerFor(LedgerEvent.class);

    private final KafkaTemplate<String, String> kafka;
    private final String topic;

    KafkaRelay(KafkaTemplate<String, String> kafka, LedgerProperties properties) {
        this.kafka = kafka;
        this.topic = properties.topics().invoiceEvents();
    }

    /**
     * {@code global_position} is the event's index in the event store: consumers that need the
     * ledger's commit order across invoices (the {@code /v1/events} feed) sort by it.
     */
    @EventHandler
    void on(LedgerEvent event, TrackingToken token) throws Exception {
        var record = new ProducerRecord<>(topic, event.invoiceId().value(), WRITER.writeValueAsString(event));
        record.headers()
                .add("event_id", bytes(event.eventId().value()))
                .add("event_type", bytes(event.type()))
                .add("invoice_id", bytes(event.invoiceId().value()))
                .add("global_position", bytes(Long.toString(token.position().orElseThrow())));
        kafka.send(record).get(30, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
