package ledger.webhook.inbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.webhook.delivery.DeliveryWorker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Takes every ledger event from Kafka (consumer group {@code webhook-dispatcher}). The event, its webhook
 * and its planned deliveries are committed in one transaction before the offset is committed, so no event
 * is skipped; a redelivered record hits the inbox's primary key and changes nothing.
 */
@Component
class EventInbox {

    private static final ObjectMapper JSON = LedgerJson.mapper();

    private final InvoiceTimeline timeline;
    private final DeliveryWorker worker;
    private final Counter received;
    private final Counter duplicates;

    EventInbox(InvoiceTimeline timeline, DeliveryWorker worker, MeterRegistry metrics) {
        this.timeline = timeline;
        this.worker = worker;
        this.received = metrics.counter("ledger.webhook.inbox.events", "outcome", "recorded");
        this.duplicates = metrics.counter("ledger.webhook.inbox.events", "outcome", "duplicate");
    }

    @KafkaListener(topics = "${ledger.topics.invoice-events:ledger.invoice-events}")
    void on(ConsumerRecord<String, String> record) throws JsonProcessingException {
        LedgerEvent event = JSON.readValue(record.value(), LedgerEvent.class);
        if (timeline.record(event, record.value())) {
            received.increment();
            worker.wake();
        } else {
            duplicates.increment();
        }
    }
}
