package ledger.local.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The webhooks a receiver took for events that occurred from {@code fromMillis} on, each event once
 * however often it was delivered (at-least-once): a phase's work is over, for the CPU it cost, only
 * when each of its events reached the receiver.
 */
final class WebhookCount {

    private final long fromMillis;
    private final Set<String> eventIds = ConcurrentHashMap.newKeySet();

    WebhookCount(long fromMillis) {
        this.fromMillis = fromMillis;
    }

    void offer(JsonNode payload) {
        try {
            if (Instant.parse(payload.path("timestamp").asText()).toEpochMilli() >= fromMillis) {
                eventIds.add(payload.path("id").asText());
            }
        } catch (DateTimeParseException e) {
            // not a webhook of ours
        }
    }

    int count() {
        return eventIds.size();
    }

    /** Until {@code expected} events were delivered (true) or {@code timeout} passed (false). */
    boolean await(long expected, Duration timeout) throws InterruptedException {
        long giveUp = System.nanoTime() + timeout.toNanos();
        while (count() < expected) {
            if (System.nanoTime() > giveUp) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
