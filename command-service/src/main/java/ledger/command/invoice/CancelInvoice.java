package ledger.command.invoice;

import ledger.events.InvoiceId;
import ledger.events.StoreId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Cancel an open invoice on which nothing was paid. */
public record CancelInvoice(@TargetAggregateIdentifier InvoiceId invoiceId, StoreId storeId, String reason) {
}
