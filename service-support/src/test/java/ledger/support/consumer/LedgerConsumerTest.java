package ledger.support.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ledger.events.EventId;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.Money;
import ledger.events.PaymentId;
import ledger.events.PaymentReceived;
import ledger.events.StoreId;
import ledger.support.consumer.ConsumedBatch.InvoiceState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionOperations;

/** The consumer's rules with an in-memory inbox and state table: once each, in sequence order, from the stored view. */
class LedgerConsumerTest {

    static final Currency USD = Currency.getInstance("USD");
    static final StoreId STORE = StoreId.generate();
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    final FakeInbox inbox = new FakeInbox();
    final FakeStates states = new FakeStates();
    final RecordingHandler handler = new RecordingHandler();
    final LedgerConsumer consumer = new LedgerConsumer(inbox, handler, states, TransactionOperations.withoutTransaction());

    @Test
    void aRedeliveredEventOrOneTwiceInAPollIsRecordedAndAppliedOnce() {
        var invoice = InvoiceId.generate();
        var created = created(invoice, Map.of());
        var paid = payment(invoice, 2);

        var first = consumer.consume(received(created, paid, created));
        assertThat(first.received()).isEqualTo(3);
        assertThat(first.recorded()).extracting(Received::event).containsExactly(created, paid);
        assertThat(first.applied()).extracting(a -> a.view().version()).containsExactly(1L, 2L);

        var again = consumer.consume(received(paid, created));
        assertThat(again.recorded()).isEmpty();
        assertThat(again.applied()).isEmpty();
        assertThat(again.changed()).isEmpty();
        assertThat(states.stored.get(invoice.value()).view().version()).isEqualTo(2);
        assertThat(handler.calls).containsExactly("begin", "apply", "committed", "begin", "committed");
    }

    @Test
    void eventsOutOfOrderInOnePollAreAppliedInSequenceOrder() {
        var invoice = InvoiceId.generate();
        var created = created(invoice, Map.of());
        var second = payment(invoice, 2);
        var third = payment(invoice, 3);

        var batch = consumer.consume(received(third, created, second));

        assertThat(batch.applied()).extracting(a -> a.event().sequence()).containsExactly(1L, 2L, 3L);
        assertThat(batch.applied()).extracting(a -> a.view().version()).containsExactly(1L, 2L, 3L);
        assertThat(batch.changed()).singleElement().satisfies(s -> {
            assertThat(s.storeId()).isEqualTo(STORE.value());
            assertThat(s.view().version()).isEqualTo(3);
            assertThat(s.view().payments()).hasSize(2);
        });
    }

    @Test
    void anEventAfterAGapWaitsInTheInboxUntilALaterPollClosesIt() {
        var invoice = InvoiceId.generate();
        var created = created(invoice, Map.of());
        var second = payment(invoice, 2);
        var third = payment(invoice, 3);

        var gap = consumer.consume(received(created, third));
        assertThat(gap.recorded()).hasSize(2);
        assertThat(gap.applied()).extracting(a -> a.event().sequence()).containsExactly(1L);
        assertThat(states.stored.get(invoice.value()).view().version()).isEqualTo(1);

        var closed = consumer.consume(received(second));
        assertThat(closed.recorded()).extracting(Received::event).containsExactly(second);
        assertThat(closed.applied()).extracting(a -> a.event().eventId())
                .containsExactly(second.eventId(), third.eventId());
        assertThat(states.stored.get(invoice.value()).view().version()).isEqualTo(3);
    }

    @Test
    void anInvoiceWithRecordedEventsButNoStoredViewIsFoldedFromThemOnce() {
        var invoice = InvoiceId.generate();
        var history = new ArrayList<LedgerEvent>(List.of(created(invoice, Map.of())));
        for (int sequence = 2; sequence <= 5; sequence++) {
            history.add(payment(invoice, sequence));
        }
        inbox.record(received(history.toArray(LedgerEvent[]::new)));
        var next = payment(invoice, 6);

        var batch = consumer.consume(received(next));

        assertThat(inbox.askedVersions).containsExactly(Map.of(invoice.value(), 0L));
        assertThat(batch.applied()).extracting(a -> a.event().sequence()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(states.stored.get(invoice.value()).view().version()).isEqualTo(6);

        inbox.returned = 0;
        consumer.consume(received(payment(invoice, 7)));
        assertThat(inbox.askedVersions).last().isEqualTo(Map.of(invoice.value(), 6L));
        assertThat(inbox.returned).as("events read back once the view is stored").isZero();
    }

    @Test
    void anInvoiceThatDoesNotStartWithItsCreationGetsNoView() {
        var invoice = InvoiceId.generate();

        var batch = consumer.consume(received(payment(invoice, 1), payment(invoice, 2)));

        assertThat(batch.recorded()).hasSize(2);
        assertThat(batch.applied()).isEmpty();
        assertThat(states.stored).doesNotContainKey(invoice.value());
    }

    @Test
    void aPollIsParsedWithoutSecretsWithItsPositionsAndWithoutItsUnreadableRecords() throws Exception {
        var invoice = InvoiceId.generate();
        var created = created(invoice, Map.of("order", "42", "api_key", "hidden"));
        var paid = payment(invoice, 2);
        var writer = LedgerJson.mapper().writerFor(LedgerEvent.class);
        var withPosition = new ConsumerRecord<>("ledger.invoice-events", 0, 0L, invoice.value(),
                writer.writeValueAsString(created));
        withPosition.headers().add(LedgerConsumer.GLOBAL_POSITION, "77".getBytes(StandardCharsets.UTF_8));
        var unreadable = new ConsumerRecord<>("ledger.invoice-events", 0, 1L, invoice.value(), "{\"type\":\"Nope\"");
        var withoutPosition = new ConsumerRecord<>("ledger.invoice-events", 0, 2L, invoice.value(),
                writer.writeValueAsString(paid));

        consumer.on(List.of(withPosition, unreadable, withoutPosition), new MockConsumer<>(OffsetResetStrategy.EARLIEST));

        assertThat(inbox.recorded.values()).extracting(Received::globalPosition).containsExactly(77L, null);
        Received first = inbox.recorded.values().iterator().next();
        assertThat(((InvoiceCreated) first.event()).metadata()).containsOnlyKeys("order");
        assertThat(first.json()).contains("\"order\"").doesNotContain("api_key");
        assertThat(states.stored.get(invoice.value()).view().version()).isEqualTo(2);
    }

    static List<Received> received(LedgerEvent... events) {
        return java.util.Arrays.stream(events).map(e -> new Received(e, "{}", null)).toList();
    }

    static InvoiceCreated created(InvoiceId invoice, Map<String, String> metadata) {
        return new InvoiceCreated(EventId.generate(), invoice, STORE, 1, T0, null, Money.parse("1000", USD), List.of(),
                null, null,
                null, metadata, "http://localhost/checkout/" + invoice.value(), null, null, null,
                T0.plusSeconds(3600), false, InvoiceStatus.OPEN, Money.zero(USD), Money.parse("1000", USD));
    }

    /** The invoice's payment of 1.00 that is its event {@code sequence}. */
    static PaymentReceived payment(InvoiceId invoice, long sequence) {
        var paid = Money.parse(Long.toString(sequence - 1), USD);
        return new PaymentReceived(EventId.generate(), invoice, STORE, sequence, T0.plusSeconds(sequence),
                PaymentId.generate(), Money.parse("1", USD), "ref-" + sequence, null, T0,
                InvoiceStatus.PARTIALLY_PAID, paid, Money.parse(Long.toString(1001 - sequence), USD));
    }

    /** An inbox keyed by event id, in the order events were recorded. */
    static final class FakeInbox implements LedgerInbox {
        final Map<String, Received> recorded = new LinkedHashMap<>();
        final List<Map<String, Long>> askedVersions = new ArrayList<>();
        int returned;

        @Override
        public Set<String> record(List<Received> events) {
            var now = new java.util.HashSet<String>();
            for (Received r : events) {
                if (recorded.putIfAbsent(r.event().eventId().value(), r) == null) {
                    now.add(r.event().eventId().value());
                }
            }
            return now;
        }

        @Override
        public List<LedgerEvent> recordedAfter(Map<String, Long> versions, Set<String> recordedNow) {
            askedVersions.add(Map.copyOf(versions));
            var after = recorded.values().stream().map(Received::event)
                    .filter(e -> versions.containsKey(e.invoiceId().value()))
                    .filter(e -> e.sequence() > versions.get(e.invoiceId().value()))
                    .filter(e -> !recordedNow.contains(e.eventId().value()))
                    .toList();
            returned += after.size();
            return after;
        }
    }

    static final class FakeStates implements InvoiceStates {
        final Map<String, InvoiceState> stored = new HashMap<>();

        @Override
        public Map<String, InvoiceState> lock(List<String> invoiceIds) {
            var found = new HashMap<String, InvoiceState>();
            invoiceIds.stream().filter(stored::containsKey).forEach(id -> found.put(id, stored.get(id)));
            return found;
        }

        @Override
        public void save(Collection<InvoiceState> states) {
            states.forEach(s -> stored.put(s.view().id(), s));
        }
    }

    static final class RecordingHandler implements InvoiceEventHandler {
        final List<String> calls = new ArrayList<>();

        @Override
        public void begin() {
            calls.add("begin");
        }

        @Override
        public void apply(ConsumedBatch batch) {
            calls.add("apply");
        }

        @Override
        public void committed(ConsumedBatch batch) {
            calls.add("committed");
        }
    }
}
