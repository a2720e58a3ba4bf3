package ledger.events;

import java.time.Instant;

/**
 * Money received on the invoice was given back (SPEC §4.5). {@code reference} is the merchant's id for the refund,
 * unique per invoice; {@code paymentId}, when sent, names the payment refunded. {@code amountRefunded} is the
 * invoice's total refunded after this event. The status, {@code amount_paid} (what was received) and
 * {@code amount_due} do not change: a refund corrects the money, not what was owed.
 */
public record RefundIssued(
        EventId eventId,
        InvoiceId invoiceId,
        StoreId storeId,
        long sequence,
        Instant occurredAt,
        RefundId refundId,
        Money amount,
        String reference,
        PaymentId paymentId,
        String reason,
        Money amountRefunded,
        InvoiceStatus status,
        Money amountPaid,
        Money amountDue) implements LedgerEvent {
}
