package ledger.command.invoice;

import java.time.Instant;
import ledger.events.InvoiceId;
import ledger.events.Money;
import ledger.events.StoreId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Record a payment; {@code reference} is the payer-side id that makes a retried payment a no-op.
 * {@code storeId} and {@code livemode} are the caller's key's: only an invoice of that store and mode
 * may be paid.
 */
public record PayInvoice(@TargetAggregateIdentifier InvoiceId invoiceId, StoreId storeId, boolean livemode,
                         Money amount, String reference, String method, Instant receivedAt) {
}
