package ledger.webhook.inbox;

import com.fasterxml.jackson.databind.ObjectReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.webhook.delivery.DeliveryWorker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Takes every ledger event from Kafka (consumer group {@code webhook-dispatcher}), a poll at a time. The
 * poll's events, their webhooks and their planned deliveries are committed in one transaction before the
 * offsets are committed, so no event is skipped; a failing poll is retried as a whole by the shared error
 * handler, and a redelivered record hits the inbox's primary key and changes nothing.
 */
@Component
class EventInbox {

    private static final Logger log = LoggerFactory.getLogger(EventInbox.class);
    private static final ObjectReader READER = LedgerJson.mapper().readerFor(LedgerEvent.class);

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

    @KafkaListener(topics = "${ledger.topics.invoice-events:ledger.invoice-events}", batch = "true")
    void on(List<ConsumerRecord<String, String>> records) {
        var batch = new ArrayList<InvoiceTimeline.Received>(records.size());
        for (var record : records) {
            try {
                batch.add(new InvoiceTimeline.Received(READER.readValue(record.value()), record.value()));
            } catch (Exception e) {
                // Same policy as the shared error handler: a record that can never be parsed is skipped, loudly.
                log.error("Skipping unreadable record {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        int recorded = timeline.record(batch);
        received.increment(recorded);
        duplicates.increment(batch.size() - recorded);
        if (recorded > 0) {
            // After the commit: the poller can claim only committed deliveries.
            worker.wake();
        }
    }
}
