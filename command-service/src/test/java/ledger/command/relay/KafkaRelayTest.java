package ledger.command.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import ledger.events.EventId;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.Money;
import ledger.events.StoreId;
import ledger.support.LedgerProperties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;

class KafkaRelayTest {

    static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    static final Currency USD = Currency.getInstance("USD");

    /** What the broker has been sent; a record leaves the producer only once flushed, as with a long linger.ms. */
    final List<ProducerRecord<String, String>> sent = new ArrayList<>();
    final List<CompletableFuture<SendResult<String, String>>> held = new ArrayList<>();

    @SuppressWarnings("unchecked")
    KafkaTemplate<String, String> lingeringProducer() {
        KafkaTemplate<String, String> kafka = mock(KafkaTemplate.class);
        when(kafka.send(any(ProducerRecord.class))).thenAnswer(call -> {
            sent.add(call.getArgument(0));
            var ack = new CompletableFuture<SendResult<String, String>>();
            held.add(ack);
            return ack;
        });
        doAnswer(call -> {
            held.forEach(ack -> ack.complete(null));
            return null;
        }).when(kafka).flush();
        return kafka;
    }

    @Test
    void aBatchSendsItsRecordsWhenItEndsRatherThanAfterTheProducersLinger() throws Exception {
        var relay = new KafkaRelay(lingeringProducer(), JacksonSerializer.builder().objectMapper(LedgerJson.mapper()).build(),
                new LedgerProperties(null, new LedgerProperties.Topics("ledger.invoice-events", "ledger.access", 6, (short) 1)),
                Clock.fixed(NOW, java.time.ZoneOffset.UTC), new SimpleMeterRegistry());
        var first = created();
        var second = created();

        // Everything in one thread: the unit of work is the thread's.
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            var batch = DefaultUnitOfWork.startAndGet(GenericEventMessage.asEventMessage(first));
            relay.on(stored(first), new GlobalSequenceTrackingToken(7));
            relay.on(stored(second), new GlobalSequenceTrackingToken(8));
            batch.commit();
        }, "the batch waited for acks its records were never sent for");

        assertThat(sent).extracting(ProducerRecord::key)
                .containsExactly(first.invoiceId().value(), second.invoiceId().value());
        assertThat(held).allMatch(CompletableFuture::isDone);
        assertThat(sent.get(0).value()).isEqualTo(LedgerJson.mapper().writerFor(LedgerEvent.class).writeValueAsString(first));
    }

    static DomainEventMessage<InvoiceCreated> stored(InvoiceCreated event) {
        return new GenericDomainEventMessage<>("Invoice", event.invoiceId().value(), 0, event);
    }

    static InvoiceCreated created() {
        var id = InvoiceId.generate();
        var amount = Money.parse("10.00", USD);
        var now = NOW.truncatedTo(ChronoUnit.MICROS);
        return new InvoiceCreated(EventId.generate(), id, new StoreId("st_store1"), 1, now, null, amount, List.of(),
                "order-1", null, null, Map.of(), "http://localhost/checkout/" + id.value(), null, null, null,
                now.plusSeconds(3600), false,
                InvoiceStatus.OPEN, Money.zero(USD), amount);
    }
}
