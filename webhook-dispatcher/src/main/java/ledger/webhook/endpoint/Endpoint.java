package ledger.webhook.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import ledger.events.StoreId;

/**
 * A stored webhook endpoint. {@code previousSecrets} are the secrets replaced by rotations; each keeps
 * signing until the expiry its rotation reported, however many rotations follow. {@code failingSince} is
 * the first failed attempt since the last success (null while healthy).
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
        List<PreviousSecret> previousSecrets,
        Instant failingSince,
        Instant createdAt,
        Instant updatedAt) {

    /** A secret a rotation replaced: it signs alongside the current one until {@code expiresAt}. */
    public record PreviousSecret(String secret, Instant expiresAt) {

        boolean signsAt(Instant now) {
            return now.isBefore(expiresAt);
        }
    }

    public Endpoint {
        previousSecrets = List.copyOf(previousSecrets);
    }

    /** Whether events of {@code type} are sent here. */
    public boolean wants(String type) {
        return enabledEvents.contains("*") || enabledEvents.contains(type);
    }

    /** The secrets that sign deliveries at {@code now}: the current one, and each previous one until it expires. */
    public List<String> signingSecrets(Instant now) {
        var secrets = new ArrayList<String>(1 + previousSecrets.size());
        secrets.add(secret);
        signingPreviousSecrets(now).forEach(p -> secrets.add(p.secret()));
        return List.copyOf(secrets);
    }

    /** The previous secrets still signing at {@code now}. */
    List<PreviousSecret> signingPreviousSecrets(Instant now) {
        return previousSecrets.stream().filter(p -> p.signsAt(now)).toList();
    }

    /**
     * Until when some previous secret still signs, seen at {@code now}: the latest expiry of those still
     * signing, or null when none is. Each expiry was reported by the rotation that made it; this one is
     * the moment after which only the current secret signs.
     */
    Instant previousSecretsExpireAt(Instant now) {
        return signingPreviousSecrets(now).stream().map(PreviousSecret::expiresAt).max(Comparator.naturalOrder())
                .orElse(null);
    }

    /**
     * This endpoint after a rotation at {@code now}: {@code newSecret} signs, the current secret keeps signing
     * for {@code overlap}, earlier previous secrets keep their own expiries, and expired ones are dropped.
     */
    Endpoint rotated(String newSecret, Duration overlap, Instant now) {
        var previous = new ArrayList<>(signingPreviousSecrets(now));
        // PostgreSQL keeps microseconds: the expiry reported is then exactly the one stored and later shown.
        previous.add(new PreviousSecret(secret, now.plus(overlap).truncatedTo(ChronoUnit.MICROS)));
        return new Endpoint(id, storeId, url, enabledEvents, description, livemode, disabled, disabledReason,
                newSecret, previous, failingSince, createdAt, now);
    }
}
