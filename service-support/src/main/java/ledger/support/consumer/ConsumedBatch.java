package ledger.support.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.util.List;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;

/**
 * One Kafka poll, consumed.
 *
 * @param received how many readable records the poll held, duplicates included
 * @param recorded the events recorded now, in delivery order (a redelivered event is not among them; one
 *                 waiting for its predecessor is, though not applied yet)
 * @param applied  each event applied, with its invoice's view after it, in per-invoice sequence order — also
 *                 events recorded by an earlier poll whose gap this one closed
 * @param changed  the invoices whose view moved on, as they stand after the poll
 */
public record ConsumedBatch(int received, List<Received> recorded, List<Applied> applied,
                            List<InvoiceState> changed) {

    /** An event and its invoice's view right after it. */
    public record Applied(LedgerEvent event, InvoiceView view) {
    }

    /** An invoice's view, its store, and its JSON written once for every table that keeps it. */
    public record InvoiceState(String storeId, InvoiceView view, String json) {

        private static final ObjectWriter JSON = LedgerJson.mapper().writerFor(InvoiceView.class);

        public static InvoiceState of(String storeId, InvoiceView view) {
            try {
                return new InvoiceState(storeId, view, JSON.writeValueAsString(view));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("view cannot be written as JSON: " + view.id(), e);
            }
        }
    }
}
