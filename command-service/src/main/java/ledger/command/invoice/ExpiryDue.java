package ledger.command.invoice;

import ledger.events.InvoiceId;

/** Payload of the durable expiry deadline: which invoice's {@code expires_at} has come. */
public record ExpiryDue(InvoiceId invoiceId) {
}
