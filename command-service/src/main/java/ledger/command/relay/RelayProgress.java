package ledger.command.relay;

import java.time.Instant;

/** Where this instance's Kafka relay stands against the head of the event store. */
interface RelayProgress {

    State read();

    /**
     * @param running          the relay's tracking processor runs here
     * @param claimsSegments   it holds at least one segment here (with N instances, one of them relays)
     * @param error            what its current batch failed with, while it retries; null when healthy
     * @param oldestUnrelayed  when the oldest event not yet acknowledged by Kafka was appended; null when
     *                         the relay is at the head
     */
    record State(boolean running, boolean claimsSegments, Throwable error, Instant oldestUnrelayed) {
    }
}
