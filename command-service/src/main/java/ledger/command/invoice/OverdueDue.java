package ledger.command.invoice;

import ledger.events.InvoiceId;

/** Payload of the durable overdue deadline: the end (UTC) of which invoice's {@code due_date} has come. */
public record OverdueDue(InvoiceId invoiceId) {
}
