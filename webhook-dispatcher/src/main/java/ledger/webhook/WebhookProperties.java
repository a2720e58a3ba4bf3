package ledger.webhook;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How webhooks are delivered ({@code ledger.webhooks.*}).
 *
 * @param allowPrivateTargets   allow http:// and loopback/private addresses (local development and tests only)
 * @param retrySchedule         waits after the 1st, 2nd, … failed attempt; when it runs out the delivery has failed
 * @param retryJitter           each wait is spread by ± this fraction, so retries of many events don't arrive in bursts
 * @param maxRetryAfter         ceiling on a receiver's {@code Retry-After}
 * @param requestTimeout        hard limit on one attempt, connect to last response byte
 * @param connectTimeout        limit on the TCP (and TLS) connect
 * @param secretRotationOverlap how long a rotated-out endpoint secret keeps signing alongside the new one
 * @param disableAfterFailing   an endpoint that has failed every attempt for this long is disabled
 * @param workers               threads making attempts, per instance
 * @param perTargetConcurrency  attempts in flight to one endpoint (or one callback host), per instance
 * @param pollInterval          how often the queue is polled when nothing woke the worker up
 * @param lease                 how long a claimed attempt is reserved for its instance (≫ request timeout)
 * @param maxEndpointsPerStore  endpoints a store may have
 */
@ConfigurationProperties("ledger.webhooks")
public record WebhookProperties(
        boolean allowPrivateTargets,
        List<Duration> retrySchedule,
        @DefaultValue("0.1") double retryJitter,
        @DefaultValue("24h") Duration maxRetryAfter,
        @DefaultValue("10s") Duration requestTimeout,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("24h") Duration secretRotationOverlap,
        @DefaultValue("5d") Duration disableAfterFailing,
        @DefaultValue("32") int workers,
        @DefaultValue("4") int perTargetConcurrency,
        @DefaultValue("500ms") Duration pollInterval,
        @DefaultValue("60s") Duration lease,
        @DefaultValue("16") int maxEndpointsPerStore) {

    public static final List<Duration> DEFAULT_RETRY_SCHEDULE = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5),
            Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10),
            Duration.ofHours(14), Duration.ofHours(20), Duration.ofHours(24));

    public WebhookProperties {
        retrySchedule = retrySchedule == null || retrySchedule.isEmpty() ? DEFAULT_RETRY_SCHEDULE
                : List.copyOf(retrySchedule);
        if (retrySchedule.stream().anyMatch(d -> d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException("ledger.webhooks.retry-schedule: every wait must be positive");
        }
        if (retryJitter < 0 || retryJitter >= 1) {
            throw new IllegalArgumentException("ledger.webhooks.retry-jitter must be in [0, 1)");
        }
        if (perTargetConcurrency < 1 || workers <= perTargetConcurrency) {
            // One target may never hold every worker: that is what keeps a hanging endpoint from delaying others.
            throw new IllegalArgumentException(
                    "ledger.webhooks.workers must exceed ledger.webhooks.per-target-concurrency (>= 1)");
        }
        if (lease.compareTo(requestTimeout.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("ledger.webhooks.lease must be at least twice the request timeout");
        }
    }
}
