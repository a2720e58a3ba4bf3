package ledger.webhook.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import ledger.webhook.WebhookProperties;

/**
 * When a failed delivery is tried again. The n-th failed attempt waits the n-th entry of the schedule,
 * spread by ± the jitter fraction so that many deliveries failing together don't come back together;
 * after the last entry the delivery has failed. A receiver's {@code Retry-After} (on 429/503) is
 * honoured: never sooner than it asked, but not later than the configured ceiling.
 */
final class RetryPolicy {

    private final List<Duration> schedule;
    private final double jitter;
    private final Duration maxRetryAfter;
    private final DoubleSupplier random;

    RetryPolicy(WebhookProperties properties, DoubleSupplier random) {
        this(properties.retrySchedule(), properties.retryJitter(), properties.maxRetryAfter(), random);
    }

    RetryPolicy(List<Duration> schedule, double jitter, Duration maxRetryAfter, DoubleSupplier random) {
        this.schedule = List.copyOf(schedule);
        this.jitter = jitter;
        this.maxRetryAfter = maxRetryAfter;
        this.random = random;
    }

    /**
     * When to try again after the {@code failedAttempts}-th failed attempt (1 = the first attempt failed),
     * or empty when the schedule is used up.
     */
    Optional<Instant> nextAttempt(int failedAttempts, Instant now, Optional<Duration> retryAfter) {
        if (failedAttempts < 1 || failedAttempts > schedule.size()) {
            return Optional.empty();
        }
        Duration base = schedule.get(failedAttempts - 1);
        // uniform in [1 - jitter, 1 + jitter)
        double factor = 1 + jitter * (2 * random.getAsDouble() - 1);
        Duration wait = Duration.ofNanos(Math.max(1, Math.round(base.toNanos() * factor)));
        if (retryAfter.isPresent()) {
            Duration asked = retryAfter.get().compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter.get();
            if (asked.compareTo(wait) > 0) {
                wait = asked;
            }
        }
        return Optional.of(now.plus(wait));
    }

    /** Whether an endpoint failing since {@code failingSince} has failed long enough to be disabled. */
    static boolean failingTooLong(Instant failingSince, Instant now, Duration limit) {
        return failingSince != null && !failingSince.plus(limit).isAfter(now);
    }

    /** A {@code Retry-After} header: delay-seconds or an HTTP date. Unparseable or past values are ignored. */
    static Optional<Duration> parseRetryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds > 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
        } catch (NumberFormatException e) {
            // not delay-seconds; maybe a date
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(now, at);
            return wait.isNegative() || wait.isZero() ? Optional.empty() : Optional.of(wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
