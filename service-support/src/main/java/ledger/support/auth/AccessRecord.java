package ledger.support.auth;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.Set;
import ledger.events.StoreId;

/**
 * The latest state of one store or API key, as published on the compacted {@code ledger.access}
 * topic under {@link #recordKey()}. Each record is complete, so compaction may drop older ones.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = AccessRecord.Store.class, name = "store"),
        @JsonSubTypes.Type(value = AccessRecord.ApiKey.class, name = "api_key")
})
public sealed interface AccessRecord {

    String recordKey();

    /** A merchant store and the secret its per-invoice callbacks are signed with (§6). */
    record Store(StoreId storeId, String name, String callbackSecret, Instant createdAt) implements AccessRecord {
        @Override
        public String recordKey() {
            return "store:" + storeId.value();
        }
    }

    /** An API key, identified by its hash; {@code revokedAt} set means it no longer authenticates. */
    record ApiKey(String keyId, StoreId storeId, String keyHash, Set<String> scopes, String mode,
                  Instant createdAt, Instant revokedAt) implements AccessRecord {
        @Override
        public String recordKey() {
            return "key:" + keyId;
        }

        public boolean livemode() {
            return "live".equals(mode);
        }
    }
}
