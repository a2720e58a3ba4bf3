package ledger.events;

import java.time.Instant;

/** The merchant cancelled an open invoice on which nothing was paid. {@code reason} is optional. */
public record InvoiceCancelled(
        EventId eventId,
        InvoiceId invoiceId,
        StoreId storeId,
        long sequence,
        Instant occurredAt,
        String reason,
        InvoiceStatus status,
        Money amountPaid,
        Money amountDue) implements LedgerEvent {
}
