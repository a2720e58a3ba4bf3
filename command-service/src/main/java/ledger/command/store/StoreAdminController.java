package ledger.command.store;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import ledger.support.auth.AccessRecord;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin API for stores and their API keys (SPEC §7); authenticated with the admin token by the
 * shared {@code Authentication} filter. Keys and callback secrets are in the response exactly once.
 */
@RestController
class StoreAdminController {

    private final Stores stores;

    StoreAdminController(Stores stores) {
        this.stores = stores;
    }

    record CreateStore(String name, String invoicePrefix) {
    }

    record UpdateStore(String invoicePrefix) {
    }

    /** A store as the admin API shows it; {@code callbackSecret} only in the answer to its creation. */
    record StoreView(String id, String object, String name, String invoicePrefix, String callbackSecret,
                     Instant createdAt) {
        static StoreView of(Stores.Settings s, boolean withSecret) {
            var store = s.store();
            return new StoreView(store.storeId().value(), "store", store.name(), s.invoicePrefix(),
                    withSecret ? store.callbackSecret() : null, store.createdAt());
        }
    }

    record CreateApiKey(List<String> scopes, String mode, String key) {
    }

    record ApiKeyView(String id, String object, String storeId, String key, Set<String> scopes, String mode,
                      Instant createdAt, Instant revokedAt) {
        static ApiKeyView of(AccessRecord.ApiKey k, String key) {
            return new ApiKeyView(k.keyId(), "api_key", k.storeId().value(), key, k.scopes(), k.mode(), k.createdAt(),
                    k.revokedAt());
        }
    }

    @PostMapping("/admin/v1/stores")
    ResponseEntity<StoreView> create(@RequestBody(required = false) CreateStore body) {
        var store = stores.create(body == null ? null : body.name(), body == null ? null : body.invoicePrefix());
        return ResponseEntity.status(HttpStatus.CREATED).body(StoreView.of(store, true));
    }

    /** Settings apply from the next invoice on: a new prefix does not renumber, nor restart, the sequence. */
    @PatchMapping("/admin/v1/stores/{storeId}")
    StoreView update(@PathVariable String storeId, @RequestBody UpdateStore body) {
        return StoreView.of(stores.update(storeId, body.invoicePrefix()), false);
    }

    @PostMapping("/admin/v1/stores/{storeId}/api_keys")
    ResponseEntity<ApiKeyView> issueKey(@PathVariable String storeId, @RequestBody CreateApiKey body) {
        var issued = stores.issueKey(storeId, body.scopes(), body.mode(), body.key());
        return ResponseEntity.status(issued.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .body(ApiKeyView.of(issued.record(), issued.key()));
    }

    @DeleteMapping("/admin/v1/stores/{storeId}/api_keys/{keyId}")
    ApiKeyView revokeKey(@PathVariable String storeId, @PathVariable String keyId) {
        return ApiKeyView.of(stores.revokeKey(storeId, keyId), null);
    }
}
