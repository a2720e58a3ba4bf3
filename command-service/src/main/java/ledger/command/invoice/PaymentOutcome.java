package ledger.command.invoice;

import ledger.events.InvoiceView;
import ledger.events.PaymentId;

/**
 * What a payment command did: recorded a new payment, or recognised a repeat of an earlier one; and the
 * invoice after it, which the answer shows.
 */
public record PaymentOutcome(PaymentId paymentId, boolean recorded, InvoiceView invoice) {
}
