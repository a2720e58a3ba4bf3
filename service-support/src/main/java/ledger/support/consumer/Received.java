package ledger.support.consumer;

import ledger.events.LedgerEvent;

/**
 * A ledger event as taken from Kafka.
 *
 * @param event          the event, secret-looking metadata already dropped: no consumer keeps it
 * @param json           the event's JSON as a service may keep it: the record's text, or the event written
 *                       anew when metadata was dropped
 * @param globalPosition the event store's position from the record's {@code global_position} header; null
 *                       when the record had none (older producers) or an unreadable one
 */
public record Received(LedgerEvent event, String json, Long globalPosition) {
}
