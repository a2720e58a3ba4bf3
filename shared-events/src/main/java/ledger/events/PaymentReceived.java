package ledger.events;

import java.time.Instant;

/**
 * A payment was recorded against an invoice. {@code reference} is the payer-side id, unique per
 * invoice; {@code receivedAt} is when the payer says it was received (defaults to {@code occurredAt}).
 */
public record PaymentReceived(
        EventId eventId,
        InvoiceId invoiceId,
        StoreId storeId,
        long sequence,
        Instant occurredAt,
        PaymentId paymentId,
        Money amount,
        String reference,
        String method,
        Instant receivedAt,
        InvoiceStatus status,
        Money amountPaid,
        Money amountDue) implements LedgerEvent {
}
