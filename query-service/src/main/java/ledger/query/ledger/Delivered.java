package ledger.query.ledger;

import ledger.events.LedgerEvent;

/**
 * An event as delivered by Kafka, with the event store's {@code global_position} header when the
 * record had one (records published without it fall back to the order of arrival).
 */
public record Delivered(LedgerEvent event, Long globalPosition) {
}
