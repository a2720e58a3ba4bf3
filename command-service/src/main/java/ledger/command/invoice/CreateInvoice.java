package ledger.command.invoice;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import ledger.events.InvoiceId;
import ledger.events.Money;
import ledger.events.StoreId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Create an invoice; every field has been validated by the web layer. {@code checkoutUrl} ends in the
 * invoice's new {@link ledger.events.CheckoutToken}.
 */
public record CreateInvoice(
        @TargetAggregateIdentifier InvoiceId invoiceId,
        StoreId storeId,
        Money amount,
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
