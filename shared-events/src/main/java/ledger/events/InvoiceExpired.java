package ledger.events;

import java.time.Instant;

/** An open or partially paid invoice reached its {@code expires_at} without being settled. */
public record InvoiceExpired(
        EventId eventId,
        InvoiceId invoiceId,
        StoreId storeId,
        long sequence,
        Instant occurredAt,
        InvoiceStatus status,
        Money amountPaid,
        Money amountDue) implements LedgerEvent {
}
