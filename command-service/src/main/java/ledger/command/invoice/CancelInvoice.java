package ledger.command.invoice;

import ledger.events.InvoiceId;
import ledger.events.StoreId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Cancel an open invoice on which nothing was paid; only the caller's store and mode may. */
public record CancelInvoice(@TargetAggregateIdentifier InvoiceId invoiceId, StoreId storeId, boolean livemode,
                            String reason) {
}
