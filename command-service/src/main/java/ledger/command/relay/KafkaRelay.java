package ledger.command.relay;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.support.LedgerProperties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * The outbox relay: a tracking processor over the event store that publishes every ledger event to
 * Kafka, keyed by invoice id (so each invoice's events stay in order on one partition). Events of a
 * batch are sent without waiting one by one, and the batch's unit of work only commits — moving the
 * processor's token — once the broker acknowledged every one of them. A failed send fails the batch,
 * the token stays, and the batch is sent again (see RelayConfig): at-least-once, never lost.
 */
@Component
@ProcessingGroup(KafkaRelay.GROUP)
class KafkaRelay {

    static final String GROUP = "kafka-relay";
    private static final String PENDING_ACKS = KafkaRelay.class.getName() + ".acks";

    private final KafkaTemplate<String, String> kafka;
    private final Serializer serializer;
    private final String topic;
    private final Clock clock;
    private final Timer lag;

    KafkaRelay(KafkaTemplate<String, String> kafka, @Qualifier("eventSerializer") Serializer serializer,
               LedgerProperties properties, Clock clock, MeterRegistry metrics) {
        this.kafka = kafka;
        this.serializer = serializer;
        this.topic = properties.topics().invoiceEvents();
        this.clock = clock;
        this.lag = Timer.builder("ledger.relay.lag")
                .description("From an event's commit to the broker's acknowledgement of it on Kafka")
                .publishPercentileHistogram().register(metrics);
    }

    /**
     * Sends the event's JSON as the event store keeps it — already the wire format (see
     * {@code EventStoreConfig#eventSerializer}; an older revision comes upcast): binding it to a record only to
     * write the same bytes again was most of the relay's work. {@code global_position} is the event's index in
     * the event store: consumers that need the ledger's commit order across invoices (the {@code /v1/events}
     * feed) sort by it.
     */
    @EventHandler(payloadType = LedgerEvent.class)
    void on(DomainEventMessage<?> event, TrackingToken token) {
        byte[] json = event.serializePayload(serializer, byte[].class).getData();
        var envelope = LedgerJson.envelope(json);
        String invoiceId = event.getAggregateIdentifier();
        var record = new ProducerRecord<>(topic, invoiceId, new String(json, StandardCharsets.UTF_8));
        record.headers()
                .add("event_id", bytes(envelope.eventId()))
                .add("event_type", bytes(envelope.type()))
                .add("invoice_id", bytes(invoiceId))
                .add("global_position", bytes(Long.toString(token.position().orElseThrow())));
        Instant appended = event.getTimestamp();
        var acked = kafka.send(record).thenRun(() -> lag.record(Duration.between(appended, clock.instant())));
        pendingAcks().add(acked);
    }

    /** The acks the current batch waits for before it may commit; registered once per batch. */
    private List<CompletableFuture<Void>> pendingAcks() {
        UnitOfWork<?> batch = CurrentUnitOfWork.get().root();
        return batch.getOrComputeResource(PENDING_ACKS, key -> {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            batch.onPrepareCommit(u -> awaitAll(acks));
            return acks;
        });
    }

    /**
     * The batch is complete once its handler calls are: its records go now rather than after the producer's
     * linger.ms, which only the middle of a batch benefits from (more records per request). Without the flush
     * an idle create waited out the linger on its way to the consumers.
     */
    private void awaitAll(List<CompletableFuture<Void>> acks) {
        try {
            kafka.flush();
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Kafka did not acknowledge the batch; it will be sent again", e);
        }
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
