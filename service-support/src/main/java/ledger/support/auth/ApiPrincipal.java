package ledger.support.auth;

import java.util.Set;
import ledger.events.StoreId;

/** Who is calling: the store a key belongs to, the key's id (never the key) and its scopes. */
public record ApiPrincipal(StoreId storeId, String keyId, Set<String> scopes, boolean livemode) {

    public boolean has(String scope) {
        return scopes.contains(scope);
    }
}
