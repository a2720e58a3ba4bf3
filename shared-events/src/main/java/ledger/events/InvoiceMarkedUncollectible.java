package ledger.events;

import java.time.Instant;

/**
 * The merchant wrote an open or partially paid invoice off as bad debt (SPEC §4.5): it is {@code uncollectible},
 * no longer expires, and a later payment still settles it. What was due stays due.
 */
public record InvoiceMarkedUncollectible(
        EventId eventId,
        InvoiceId invoiceId,
        StoreId storeId,
        long sequence,
        Instant occurredAt,
        InvoiceStatus status,
        Money amountPaid,
        Money amountDue) implements LedgerEvent {
}
