package ledger.command.store;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import ledger.support.auth.AccessRecord;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
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

    record CreateStore(String name) {
    }

    record StoreCreated(String id, String object, String name, String callbackSecret, Instant createdAt) {
        static StoreCreated of(AccessRecord.Store s) {
            return new StoreCreated(s.storeId().value(), "store", s.name(), s.callbackSecret(), s.createdAt());
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
    ResponseEntity<StoreCreated> create(@RequestBody(required = false) CreateStore body) {
        var store = stores.create(body == null ? null : body.name());
        return ResponseEntity.status(HttpStatus.CREATED).body(StoreCreated.of(store));
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
