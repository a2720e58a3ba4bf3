package ledger.support.consumer;

import java.util.List;
import java.util.Map;
import java.util.Set;
import ledger.events.LedgerEvent;

/**
 * A service's record of the events it has taken, its own table: the dedupe by event id that makes
 * redelivery harmless, and where an event that came before its predecessor waits. Both calls run in the
 * poll's transaction.
 */
public interface LedgerInbox {

    /**
     * Records the events not recorded before and returns the ids of those recorded now. The events are
     * distinct by id, in the order Kafka delivered them.
     */
    Set<String> record(List<Received> events);

    /**
     * The events of these invoices recorded before, with a sequence above the invoice's version (0 for an
     * invoice without a stored view), in the order they were recorded — leaving out {@code recordedNow}, the
     * ids {@link #record} just returned. When an invoice has its view stored, that is only the events still
     * waiting for a predecessor, so the cost does not grow with the invoice's history.
     */
    List<LedgerEvent> recordedAfter(Map<String, Long> versions, Set<String> recordedNow);
}
