package ledger.command.eventstore;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.axonframework.eventhandling.TrackedEventData;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;

/**
 * Axon's JDBC storage engine, except that a read of the events after a token (the relay's) ends at the first
 * batch shorter than a full one instead of asking again until one comes back empty. Each time the relay is woken
 * Axon's event store reads until it finds nothing, then reads once more because it had found something: one
 * new event cost two empty reads, each of them two statements (the events, then how far the next one is).
 *
 * <p>Nothing is left behind: a batch is the events of a window of positions, and a window short for a gap (a
 * transaction not committed yet, or rolled back) ends this read but not the relay's, since the store reads again
 * whenever a read found events, and every commit wakes it.
 */
class RelayReads extends JdbcEventStorageEngine {

    RelayReads(Builder builder) {
        super(builder);
    }

    @Override
    protected Stream<? extends TrackedEventData<?>> readEventData(TrackingToken after, boolean mayBlock) {
        return StreamSupport.stream(new Spliterators.AbstractSpliterator<TrackedEventData<?>>(
                Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL) {
            private TrackingToken last = after;
            private Iterator<? extends TrackedEventData<?>> batch = Collections.emptyIterator();
            private boolean lastBatch;

            @Override
            public boolean tryAdvance(Consumer<? super TrackedEventData<?>> action) {
                if (!batch.hasNext()) {
                    if (lastBatch) {
                        return false;
                    }
                    List<? extends TrackedEventData<?>> events = fetchTrackedEvents(last, batchSize());
                    lastBatch = events.size() < batchSize();
                    batch = events.iterator();
                    if (!batch.hasNext()) {
                        return false;
                    }
                }
                TrackedEventData<?> next = batch.next();
                last = next.trackingToken();
                action.accept(next);
                return true;
            }
        }, false);
    }
}
