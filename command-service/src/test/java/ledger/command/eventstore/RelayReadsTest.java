package ledger.command.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.LongStream;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackedEventData;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;

class RelayReadsTest {

    private static final int BATCH = 3;

    /** Answers the scripted batches in turn, then empty ones, and records the token of every read. */
    private static final class Scripted extends RelayReads {
        final Deque<List<TrackedEventData<?>>> batches = new ArrayDeque<>();
        final List<Long> readsAfter = new ArrayList<>();

        Scripted() {
            super(JdbcEventStorageEngine.builder().connectionProvider(() -> null)
                    .transactionManager(NoTransactionManager.INSTANCE)
                    .snapshotSerializer(JacksonSerializer.defaultSerializer())
                    .eventSerializer(JacksonSerializer.defaultSerializer()).batchSize(BATCH));
        }

        @Override
        protected List<? extends TrackedEventData<?>> fetchTrackedEvents(TrackingToken lastToken, int batchSize) {
            readsAfter.add(lastToken == null ? -1 : ((GlobalSequenceTrackingToken) lastToken).getGlobalIndex());
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
}
