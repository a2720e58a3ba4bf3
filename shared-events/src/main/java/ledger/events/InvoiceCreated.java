package ledger.events;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/**
 * A merchant created an invoice. Carries everything the invoice was created with, so a read model
 * can be built from the event history alone. {@code metadata} holds every key the merchant sent,
 * including secret-looking ones: hiding those is the job of the views, not of the ledger.
 */
public record InvoiceCreated(
        EventId eventId,
        InvoiceId invoiceId,
        StoreId storeId,
        long sequence,
        Instant occurredAt,
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
        boolean livemode,
        InvoiceStatus status,
        Money amountPaid,
        Money amountDue) implements LedgerEvent {

    public InvoiceCreated {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /**
     * This event as read models may keep it: without secret-looking metadata keys, which only the
     * event store holds ({@link InvoiceView#visibleMetadata}).
     */
    public InvoiceCreated withVisibleMetadataOnly() {
        return new InvoiceCreated(eventId, invoiceId, storeId, sequence, occurredAt, amount, externalOrderId,
                description, customerEmail, InvoiceView.visibleMetadata(metadata), checkoutUrl, callbackUrl, returnUrl,
                dueDate, expiresAt, livemode, status, amountPaid, amountDue);
    }
}
