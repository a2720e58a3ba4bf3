package ledger.support.consumer;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import ledger.support.consumer.ConsumedBatch.InvoiceState;

/** Each invoice's view after the events applied so far: the fold's starting point, so it is done once. */
public interface InvoiceStates {

    /**
     * Takes the invoices' locks for the rest of the transaction, then returns their stored views (none for an
     * invoice without one). One writer per invoice at a time: a rebalance can briefly give two consumers one
     * partition, and the second must start from the view the first committed.
     */
    Map<String, InvoiceState> lock(List<String> invoiceIds);

    /** Stores the views, each replacing its invoice's. */
    void save(Collection<InvoiceState> states);
}
