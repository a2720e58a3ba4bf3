package ledger.command.invoice;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import ledger.events.InvoiceId;
import ledger.events.LineItem;
import ledger.events.Money;
import ledger.events.StoreId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Create an invoice; every field has been validated by the web layer, and {@code amount} is the sum of the
 * {@code lineItems}' totals when there are any. {@code checkoutUrl} ends in the
 * invoice's new {@link ledger.events.CheckoutToken}.
 */
public record CreateInvoice(
        @TargetAggregateIdentifier InvoiceId invoiceId,
        StoreId storeId,
        Money amount,
        List<LineItem> lineItems,
        String externalOrderId,
        String description,
        String customerEmail,
        Map<String, String> metadata,
        String checkoutUrl,
        String callbackUrl,
        String returnUrl,
        LocalDate dueDate,
        Instant expiresAt,
        boolean livemode) {
}
