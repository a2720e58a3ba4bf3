package ledger.command.invoice;

import ledger.events.PaymentId;

/** What a payment command did: recorded a new payment, or recognised a repeat of an earlier one. */
public record PaymentOutcome(PaymentId paymentId, boolean recorded) {
}
