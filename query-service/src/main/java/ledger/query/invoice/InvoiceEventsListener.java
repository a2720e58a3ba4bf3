package ledger.query.invoice;

import com.fasterxml.jackson.core.JsonProcessingException;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Feeds the topic into the projection. Offsets are committed only after the projection's transaction
 * committed, so a crash replays events (harmless) rather than skipping them.
 */
@Component
class InvoiceEventsListener {

    private static final Logger log = LoggerFactory.getLogger(InvoiceEventsListener.class);

    private final InvoiceProjection projection;

    InvoiceEventsListener(InvoiceProjection projection) {
        this.projection = projection;
    }

    @KafkaListener(topics = "${ledger.topics.invoice-events:ledger.invoice-events}")
    void on(ConsumerRecord<String, String> record) throws JsonProcessingException {
        LedgerEvent event = LedgerJson.mapper().readValue(record.value(), LedgerEvent.class);
        if (!projection.apply(event)) {
            log.debug("Event {} already applied", event.eventId());
        }
    }
}
