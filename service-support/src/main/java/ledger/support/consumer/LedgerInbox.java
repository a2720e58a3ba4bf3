package ledger.support.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ledger.events.LedgerEvent;
import org.springframework.jdbc.core.JdbcTemplate;

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

    /**
     * {@link #recordedAfter} over an inbox table with {@code event_id}, {@code invoice_id}, {@code sequence} and
     * {@code payload} (the event's JSON) columns and an {@code (invoice_id, sequence)} index; {@code table} and
     * {@code arrivalOrder} (the column that orders events as recorded) are the caller's constants, never input.
     */
    static List<LedgerEvent> recordedAfter(JdbcTemplate jdbc, String table, String arrivalOrder,
                                           Map<String, Long> versions, Set<String> recordedNow) {
        String[] invoices = versions.keySet().toArray(String[]::new);
        Long[] after = new Long[invoices.length];
        for (int i = 0; i < invoices.length; i++) {
            after[i] = versions.get(invoices[i]);
        }
        return jdbc.query("""
                SELECT e.payload FROM %s e
                JOIN unnest(?::text[], ?::bigint[]) AS s(invoice_id, version)
                  ON e.invoice_id = s.invoice_id AND e.sequence > s.version
                WHERE e.event_id <> ALL (?::text[])
                ORDER BY e.%s""".formatted(table, arrivalOrder), (rs, row) -> {
                    try {
                        return LedgerConsumer.READER.readValue(rs.getString(1));
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("recorded event is unreadable", e);
                    }
                }, invoices, after, recordedNow.toArray(String[]::new));
    }
}
