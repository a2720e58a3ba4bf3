package ledger.command.invoice;

import java.util.Currency;
import ledger.events.InvoiceId;
import ledger.events.PaymentId;
import ledger.events.StoreId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Give back money received on the invoice (SPEC §4.5); {@code reference} makes a retried refund a no-op. The amount
 * is read in the invoice's currency ({@code currency}, when sent, must be it), so the aggregate checks its decimals.
 * {@code payment} is null or a payment of this invoice; {@code storeId} and {@code livemode} are the caller's.
 */
public record IssueRefund(@TargetAggregateIdentifier InvoiceId invoiceId, StoreId storeId, boolean livemode,
                          String amount, Currency currency, String reference, PaymentId payment, String reason) {
}
