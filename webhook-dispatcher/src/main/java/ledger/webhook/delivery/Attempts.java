package ledger.webhook.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import ledger.support.auth.AccessRecord;
import ledger.support.auth.AccessRegistry;
import ledger.webhook.endpoint.Endpoint;
import ledger.webhook.target.TargetPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes the attempt on a claimed delivery: signs the stored body the Standard Webhooks way, sends it, and
 * says what the outcome leads to (done, a retry when, or failed for good).
 */
@Component
class Attempts {

    private static final Logger log = LoggerFactory.getLogger(Attempts.class);

    private final DeliveryQueue queue;
    private final AccessRegistry registry;
    private final TargetPolicy policy;
    private final WebhookSender sender;
    private final RetryPolicy retries;
    private final DeliveryMetrics metrics;
    private final Clock clock;

    Attempts(DeliveryQueue queue, AccessRegistry registry, TargetPolicy policy, WebhookSender sender,
             RetryPolicy retries, DeliveryMetrics metrics, Clock clock) {
        this.queue = queue;
        this.registry = registry;
        this.policy = policy;
        this.sender = sender;
        this.retries = retries;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Attempts the delivery. Returns the attempt, to be recorded; empty when there was nothing to attempt
     * (the endpoint was deleted or disabled since the delivery was queued) and the delivery has been ended.
     */
    Optional<DeliveryQueue.Finished> make(DeliveryQueue.Claim claim) {
        Instant started = clock.instant();
        String url;
        List<String> secrets;
        if (claim.endpointId() != null) {
            Endpoint endpoint = claim.endpoint();
            if (endpoint == null) {
                queue.finish(claim, "cancelled", "endpoint deleted", started);
                return Optional.empty();
            }
            if (endpoint.disabled()) {
                queue.finish(claim, "failed", "endpoint disabled", started);
                return Optional.empty();
            }
            url = endpoint.url();
            secrets = endpoint.signingSecrets(started);
        } else {
            url = claim.url();
            Optional<String> secret = registry.store(claim.storeId()).map(AccessRecord.Store::callbackSecret);
            if (secret.isEmpty()) {
                return Optional.of(outcome(claim, started, new WebhookSender.Result(WebhookSender.Kind.NETWORK_ERROR,
                        null, null, 0, "Store " + claim.storeId() + " is unknown here yet; no callback secret to sign with"),
                        false));
            }
            secrets = List.of(secret.get());
        }
        Optional<String> problem = policy.urlProblem(url);
        if (problem.isPresent()) {
            // The URL itself is refused (e.g. http:// in production): no later attempt can do better.
            return Optional.of(outcome(claim, started, new WebhookSender.Result(WebhookSender.Kind.BLOCKED, null, null,
                    0, "Target refused: " + problem.get()), true));
        }
        byte[] body = claim.body().getBytes(StandardCharsets.UTF_8);
        long timestamp = clock.instant().getEpochSecond();
        var headers = new LinkedHashMap<String, String>();
        headers.put("webhook-id", claim.eventId());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        try {
            headers.put("webhook-signature", Signatures.header(claim.eventId(), timestamp, body, secrets));
        } catch (IllegalArgumentException e) {
            // A secret that is not whsec_ + base64 can't sign; retrying won't fix it.
            return Optional.of(outcome(claim, started, new WebhookSender.Result(WebhookSender.Kind.BLOCKED, null, null,
                    0, "Signing secret is not a valid whsec_ value"), true));
        }
        return Optional.of(outcome(claim, started, sender.send(url, headers, body), false));
    }

    private DeliveryQueue.Finished outcome(DeliveryQueue.Claim claim, Instant started, WebhookSender.Result result,
                                           boolean permanent) {
        Instant now = clock.instant();
        DeliveryQueue.Completion completion;
        String outcome = result.kind().label();
        if (result.succeeded()) {
            completion = new DeliveryQueue.Completion(started, result.status(), result.latencyMillis(), null,
                    "succeeded", null, true, null);
            metrics.delivered(Duration.between(claim.occurredAt(), now));
        } else if (Integer.valueOf(410).equals(result.status())) {
            // 410 Gone: the receiver says this endpoint is no more.
            outcome = "gone";
            completion = new DeliveryQueue.Completion(started, 410, result.latencyMillis(), result.error(), "failed",
                    null, false, "gone");
        } else {
            Optional<Duration> retryAfter = Integer.valueOf(429).equals(result.status())
                    || Integer.valueOf(503).equals(result.status())
                    ? RetryPolicy.parseRetryAfter(result.retryAfter(), now) : Optional.empty();
            Optional<Instant> next = permanent ? Optional.empty()
                    : retries.nextAttempt(claim.attempts() + 1, now, retryAfter);
            completion = new DeliveryQueue.Completion(started, result.status(), result.latencyMillis(),
                    result.error(), next.isPresent() ? "pending" : "failed", next.orElse(null), false, null);
        }
        metrics.attempt(outcome);
        if (!result.succeeded()) {
            log.info("Delivery of {} to {} failed (attempt {}): {}", claim.eventId(),
                    claim.endpointId() != null ? claim.endpointId() : "callback", claim.attempts() + 1, result.error());
        }
        return new DeliveryQueue.Finished(claim, completion);
    }
}
