package ledger.command.invoice;

import java.time.Instant;
import ledger.events.InvoiceId;
import ledger.events.Money;
import ledger.events.StoreId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Record a payment; {@code reference} is the payer-side id that makes a retried payment a no-op. */
public record PayInvoice(@TargetAggregateIdentifier InvoiceId invoiceId, StoreId storeId, Money amount,
                         String reference, String method, Instant receivedAt) {
}
