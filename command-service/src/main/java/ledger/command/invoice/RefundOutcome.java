package ledger.command.invoice;

import ledger.events.InvoiceView;
import ledger.events.RefundId;

/** What a refund command did: issued a new refund, or recognised a repeat of one by its reference; and the invoice. */
public record RefundOutcome(RefundId refundId, boolean issued, InvoiceView invoice) {
}
