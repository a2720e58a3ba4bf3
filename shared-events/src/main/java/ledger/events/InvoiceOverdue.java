package ledger.events;

import java.time.Instant;
import java.time.LocalDate;

/**
 * An invoice still open or partially paid when its {@code due_date} ended (UTC). Its status does not change:
 * the invoice can still be paid, and expires at its {@code expires_at} like any other.
 */
public record InvoiceOverdue(
        EventId eventId,
        InvoiceId invoiceId,
        StoreId storeId,
        long sequence,
        Instant occurredAt,
        LocalDate dueDate,
        InvoiceStatus status,
        Money amountPaid,
        Money amountDue) implements LedgerEvent {
}
