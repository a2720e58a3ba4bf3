package ledger.query.invoice;

import com.fasterxml.jackson.databind.ObjectReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ledger.events.InvoiceCreated;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.query.ledger.Delivered;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.stereotype.Component;

/**
 * Feeds the topic into the projection a poll at a time (one transaction per batch). Offsets are
 * committed only after the projection's transaction committed, so a crash replays events
 * (harmless) rather than skipping them. A failing batch is retried by the shared error handler
 * until the database takes it.
 */
@Component
class InvoiceEventsListener implements ConsumerSeekAware {

    private static final Logger log = LoggerFactory.getLogger(InvoiceEventsListener.class);
    private static final ObjectReader READER = LedgerJson.mapper().readerFor(LedgerEvent.class);
    static final String GLOBAL_POSITION = "global_position";

    private final InvoiceProjection projection;
    private final ProjectionMetrics metrics;

    InvoiceEventsListener(InvoiceProjection projection, ProjectionMetrics metrics) {
        this.projection = projection;
        this.metrics = metrics;
    }

    @KafkaListener(topics = "${ledger.topics.invoice-events:ledger.invoice-events}", batch = "true",
            concurrency = "${ledger.query.consumers:2}")
    void on(List<ConsumerRecord<String, String>> records, Consumer<?, ?> consumer) {
        var batch = new ArrayList<Delivered>(records.size());
        Map<TopicPartition, Integer> inHand = new HashMap<>();
        for (var record : records) {
            inHand.merge(new TopicPartition(record.topic(), record.partition()), 1, Integer::sum);
            LedgerEvent event;
            try {
                event = READER.readValue(record.value());
                if (event instanceof InvoiceCreated created) {
                    // Secret-looking metadata stays in the event store; no read model or response holds it.
                    event = created.withVisibleMetadataOnly();
                }
            } catch (Exception e) {
                // Same policy as the shared error handler: a record that can never be parsed is skipped, loudly.
                log.error("Skipping unreadable record {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
                continue;
            }
            batch.add(new Delivered(event, globalPosition(record)));
        }
        reportLag(consumer, inHand);
        projection.apply(batch);
        reportLag(consumer, Map.of());
    }

    private void reportLag(Consumer<?, ?> consumer, Map<TopicPartition, Integer> inHand) {
        for (TopicPartition partition : consumer.assignment()) {
            long lag = consumer.currentLag(partition).orElse(0);
            metrics.behind(partition, lag + inHand.getOrDefault(partition, 0));
        }
    }

    /** The event store's position from the header; absent or malformed (older producers) → null. */
    static Long globalPosition(ConsumerRecord<?, ?> record) {
        Header header = record.headers().lastHeader(GLOBAL_POSITION);
        if (header == null || header.value() == null) {
            return null;
        }
        try {
            return Long.parseLong(new String(header.value(), StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        metrics.released(partitions);
    }
}
