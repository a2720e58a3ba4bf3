package ledger.command.invoice;

import ledger.events.InvoiceId;
import ledger.events.StoreId;

/**
 * Set validation the aggregate cannot do alone: at most one non-final invoice per
 * (store, mode, external_order_id) — test and live are separate ledgers, so a test and a live invoice
 * may share an id. Claims join the command's transaction, so a rejected or failed
 * command leaves no claim behind, and two concurrent creates cannot both win.
 */
public interface ExternalOrderIds {

    /** Returns false if another open invoice of the store and mode already holds this id. */
    boolean claim(StoreId store, boolean livemode, String externalOrderId, InvoiceId invoice);

    /** Frees the id once its invoice reached a final state. */
    void release(StoreId store, boolean livemode, String externalOrderId, InvoiceId invoice);
}
