package ledger.command.invoice;

import ledger.events.StoreId;

/**
 * Invoice numbers (SPEC §4.2): {@code <prefix>-<6+ digits>}, one sequence per store and mode, without gaps. The
 * next number is taken in the create command's transaction, so a create that fails or is refused after taking
 * one gives it back with everything else it wrote; and the row holding the sequence stays locked until that
 * transaction ends, so racing creates — on any instance — take consecutive numbers in commit order.
 */
public interface InvoiceNumbers {

    /** Takes the next number of the store's sequence in this mode. */
    String next(StoreId store, boolean livemode);

    /** {@code INV-000042}: at least six digits, more once the sequence passes 999,999. */
    static String format(String prefix, long sequence) {
        return prefix + "-" + String.format("%06d", sequence);
    }
}
