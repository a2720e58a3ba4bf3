package ledger.command.invoice;

import ledger.events.InvoiceId;
import ledger.events.StoreId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Write an open or partially paid invoice off as bad debt (SPEC §4.5); only the caller's store and mode may. */
public record MarkUncollectible(@TargetAggregateIdentifier InvoiceId invoiceId, StoreId storeId, boolean livemode) {
}
