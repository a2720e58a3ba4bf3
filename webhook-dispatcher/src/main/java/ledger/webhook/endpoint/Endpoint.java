package ledger.webhook.endpoint;

import ledger.events.WebhookTypes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import ledger.events.StoreId;

/**
 * A stored webhook endpoint. {@code previousSecret} is the secret replaced by the last rotation; it keeps
 * signing until {@code previousSecretExpiresAt}. {@code failingSince} is the first failed attempt since
 * the last success (null while healthy).
 */
public record Endpoint(
        String id,
        StoreId storeId,
        String url,
        List<String> enabledEvents,
        String description,
        boolean livemode,
        boolean disabled,
        String disabledReason,
        String secret,
        String previousSecret,
        Instant previousSecretExpiresAt,
        Instant failingSince,
        Instant createdAt,
        Instant updatedAt) {

    /** The secrets deliveries are signed with at {@code now}: the current one, and the previous until it expires. */
    public List<String> signingSecrets(Instant now) {
        var secrets = new ArrayList<String>(2);
        secrets.add(secret);
        if (previousSecret != null && previousSecretExpiresAt != null && now.isBefore(previousSecretExpiresAt)) {
            secrets.add(previousSecret);
        }
        return List.copyOf(secrets);
    }

    public boolean subscribesTo(String type) {
        return enabledEvents.contains(WebhookTypes.WILDCARD) || enabledEvents.contains(type);
    }
}
