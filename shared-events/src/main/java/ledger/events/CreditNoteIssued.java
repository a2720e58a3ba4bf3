package ledger.events;

import java.time.Instant;

/**
 * The merchant lowered what an open or partially paid invoice asks for (SPEC §4.5), by at most what was still due.
 * {@code amountCredited} is the invoice's total credited after this event; {@code amountDue} is
 * max(amount − amount_credited − amount_paid, 0), and an invoice with nothing left due is {@code paid}.
 */
public record CreditNoteIssued(
        EventId eventId,
        InvoiceId invoiceId,
        StoreId storeId,
        long sequence,
        Instant occurredAt,
        CreditNoteId creditNoteId,
        Money amount,
        CreditNoteReason reason,
        String memo,
        Money amountCredited,
        InvoiceStatus status,
        Money amountPaid,
        Money amountDue) implements LedgerEvent {
}
