package ledger.query.invoice;

import java.util.List;
import java.util.Optional;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;

/**
 * The invoice view from stored events, folded only over the gap-free prefix 1, 2, 3… of the
 * history. A later event that arrived before an earlier one (possible when a producer retried, or
 * across partitions in old tests) waits in the ledger until the gap closes, so a view never shows
 * version 3 without payment 2 — and read-your-writes never reports a version it does not contain.
 */
public final class InvoiceFold {

    private InvoiceFold() {
    }

    /** The view over {@code history} (sorted by sequence), or empty while its InvoiceCreated is missing. */
    public static Optional<InvoiceView> fold(List<? extends LedgerEvent> history) {
        if (history.isEmpty() || history.get(0).sequence() != 1 || !(history.get(0) instanceof InvoiceCreated)) {
            return Optional.empty();
        }
        int end = 1;
        while (end < history.size() && history.get(end).sequence() == history.get(end - 1).sequence() + 1) {
            end++;
        }
        return Optional.of(InvoiceView.replay(history.subList(0, end)));
    }
}
