package ledger.command.invoice;

import java.util.Optional;
import ledger.events.CheckoutToken;
import ledger.events.InvoiceId;
import ledger.events.StoreId;

/**
 * Which invoice a checkout token opens, for the buyer's hosted page (SPEC §8), which knows only the token.
 * Recorded in the create command's transaction, so a token exists exactly when its invoice does.
 */
public interface CheckoutTokens {

    /** The invoice a token opens: its store and mode decide who may act on it. */
    record Owner(InvoiceId invoiceId, StoreId storeId, boolean livemode) {
    }

    void record(CheckoutToken token, Owner owner);

    Optional<Owner> find(CheckoutToken token);
}
