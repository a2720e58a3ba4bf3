package ledger.command.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackedDomainEventData;
import org.axonframework.eventhandling.TrackedEventData;
import org.axonframework.eventhandling.TrackingEventStream;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;

class RelayReadsTest {

    private static final int BATCH = 3;

    /**
     * Answers the scripted batches in turn, then empty ones, and records the token of every read. A test may add
     * batches while an event store's reader thread reads.
     */
    private static final class Scripted extends RelayReads {
        final Deque<List<TrackedEventData<?>>> batches = new ConcurrentLinkedDeque<>();
        final List<Long> readsAfter = Collections.synchronizedList(new ArrayList<>());

        Scripted() {
            super(JdbcEventStorageEngine.builder().connectionProvider(() -> null)
                    .transactionManager(NoTransactionManager.INSTANCE)
                    .snapshotSerializer(JacksonSerializer.defaultSerializer())
                    .eventSerializer(JacksonSerializer.defaultSerializer()).batchSize(BATCH));
        }

        @Override
        protected List<? extends TrackedEventData<?>> fetchTrackedEvents(TrackingToken lastToken, int batchSize) {
            readsAfter.add(lastToken == null ? -1 : lastToken.position().orElseThrow());
            return batches.isEmpty() ? List.of() : batches.removeFirst();
        }

        List<Long> read(long after) {
            return readEventData(new GlobalSequenceTrackingToken(after), false)
                    .map(e -> ((GlobalSequenceTrackingToken) e.trackingToken()).getGlobalIndex()).toList();
        }
    }

    private static List<TrackedEventData<?>> events(long... positions) {
        return LongStream.of(positions).<TrackedEventData<?>>mapToObj(position -> {
            TrackedEventData<?> event = mock(TrackedEventData.class);
            when(event.trackingToken()).thenReturn(new GlobalSequenceTrackingToken(position));
            return event;
        }).toList();
    }

    @Test
    void aShortBatchEndsTheReadWithoutAskingAgain() {
        var engine = new Scripted();
        engine.batches.add(events(11, 12));
        assertThat(engine.read(10)).containsExactly(11L, 12L);
        assertThat(engine.readsAfter).containsExactly(10L);
    }

    @Test
    void fullBatchesAreFollowedFromTheLastEventRead() {
        var engine = new Scripted();
        engine.batches.add(events(11, 12, 13));
        engine.batches.add(events(14, 16, 17));
        engine.batches.add(events(18));
        assertThat(engine.read(10)).containsExactly(11L, 12L, 13L, 14L, 16L, 17L, 18L);
        assertThat(engine.readsAfter).containsExactly(10L, 13L, 17L);
    }

    @Test
    void aFullBatchFollowedByNothingEndsAtTheEmptyOne() {
        var engine = new Scripted();
        engine.batches.add(events(11, 12, 13));
        assertThat(engine.read(10)).containsExactly(11L, 12L, 13L);
        assertThat(engine.readsAfter).containsExactly(10L, 13L);
    }

    /**
     * The case the early end relies on the event store for: 12 was not committed when 11 and 13 were read, so that
     * read ended short. Axon's store keeps reading after the gap's token, without being woken (here no append
     * notifies it, as another instance's commit would not), so 12 is streamed once it is committed.
     */
    @Test
    void anEventBehindAGapThatEndedAReadIsStreamedOnceCommitted() throws Exception {
        var engine = new Scripted();
        engine.batches.add(List.of(entry(11, Set.of()), entry(13, Set.of(12L))));
        EmbeddedEventStore store = EmbeddedEventStore.builder().storageEngine(engine).fetchDelay(20).build();
        try (TrackingEventStream stream = store.openStream(GapAwareTrackingToken.newInstance(10, Set.of()))) {
            assertThat(payloads(stream, 2)).containsExactly("event 11", "event 13");
            assertThat(stream.hasNextAvailable(100, TimeUnit.MILLISECONDS)).isFalse(); // 12 is not committed yet
            engine.batches.add(List.of(entry(13, Set.of(), 12)));
            assertThat(payloads(stream, 1)).containsExactly("event 12");
        } finally {
            store.shutDown();
        }
    }

    private static final JacksonSerializer SERIALIZER = JacksonSerializer.defaultSerializer();

    /** The event at {@code index} in a real serialised form, with the token after it. */
    private static TrackedEventData<?> entry(long index, Set<Long> gaps) {
        return entry(index, gaps, index);
    }

    /** The event at {@code position}, read when the token after it is at {@code index} with {@code gaps}. */
    private static TrackedEventData<?> entry(long index, Set<Long> gaps, long position) {
        var data = new GenericDomainEventEntry<>("Invoice", "inv_" + position, 0, "ev_" + position, Instant.now(),
                String.class.getName(), null, SERIALIZER.serialize("event " + position, byte[].class).getData(),
                SERIALIZER.serialize(MetaData.emptyInstance(), byte[].class).getData());
        return new TrackedDomainEventData<>(GapAwareTrackingToken.newInstance(index, gaps), data);
    }

    private static List<Object> payloads(TrackingEventStream stream, int n) throws InterruptedException {
        List<Object> payloads = new ArrayList<>();
        while (payloads.size() < n && stream.hasNextAvailable(5, TimeUnit.SECONDS)) {
            payloads.add(stream.nextAvailable().getPayload());
        }
        return payloads;
    }
}
