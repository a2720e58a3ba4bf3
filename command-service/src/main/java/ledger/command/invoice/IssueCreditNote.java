package ledger.command.invoice;

import java.util.Currency;
import ledger.events.CreditNoteReason;
import ledger.events.InvoiceId;
import ledger.events.StoreId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Lower what an open or partially paid invoice asks for by at most what is due (SPEC §4.5). The amount is read in
 * the invoice's currency, as for {@link IssueRefund}; only the caller's store and mode may.
 */
public record IssueCreditNote(@TargetAggregateIdentifier InvoiceId invoiceId, StoreId storeId, boolean livemode,
                              String amount, Currency currency, CreditNoteReason reason, String memo) {
}
