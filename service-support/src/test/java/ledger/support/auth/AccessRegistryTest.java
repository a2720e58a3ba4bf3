package ledger.support.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import ledger.events.LedgerJson;
import ledger.events.StoreId;
import org.junit.jupiter.api.Test;

class AccessRegistryTest {

    /** Never started: apply() and a lookup of a known key touch no broker. */
    private final AccessRegistry registry = new AccessRegistry("localhost:1", "ledger.access", LedgerJson.mapper());

    @Test
    void aStaleActiveRecordAfterTheRevocationDoesNotBringTheKeyBack() {
        String key = ApiKeys.generate("live");
        var active = new AccessRecord.ApiKey("key_1", StoreId.generate(), ApiKeys.hash(key), Set.of("invoices:read"),
                "live", Instant.parse("2026-12-01T00:00:00Z"), null);
        var revoked = new AccessRecord.ApiKey(active.keyId(), active.storeId(), active.keyHash(), active.scopes(),
                active.mode(), active.createdAt(), Instant.parse("2026-12-02T00:00:00Z"));

        registry.apply(active);
        assertThat(registry.keyByHash(active.keyHash())).isPresent();
        registry.apply(revoked);
        registry.apply(active); // a republish that read the row before it was revoked

        assertThat(registry.keyByHash(active.keyHash())).isEmpty();
    }
}
