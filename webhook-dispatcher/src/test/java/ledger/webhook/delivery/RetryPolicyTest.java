package ledger.webhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import ledger.webhook.WebhookProperties;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-01T12:00:00Z");

    /** jitter 0.1; {@code random} fixed so each test knows exactly where in the band a wait lands */
    private static RetryPolicy policy(double random) {
        return new RetryPolicy(WebhookProperties.DEFAULT_RETRY_SCHEDULE, 0.1, Duration.ofHours(24), () -> random);
    }

    @Test
    void followsTheDefaultScheduleAndThenGivesUp() {
        var middle = policy(0.5); // no jitter at the middle of the band
        var expected = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
                Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(14),
                Duration.ofHours(20), Duration.ofHours(24));
        for (int failed = 1; failed <= expected.size(); failed++) {
            assertThat(middle.nextAttempt(failed, NOW, Optional.empty())).as("after failure " + failed)
                    .contains(NOW.plus(expected.get(failed - 1)));
        }
        assertThat(middle.nextAttempt(expected.size() + 1, NOW, Optional.empty())).isEmpty();
    }

    @Test
    void jitterSpreadsEachWaitByTenPercentEitherWay() {
        assertThat(policy(0.0).nextAttempt(2, NOW, Optional.empty())).contains(NOW.plus(Duration.ofSeconds(270)));
        assertThat(policy(0.999999).nextAttempt(2, NOW, Optional.empty()).orElseThrow())
                .isBetween(NOW.plus(Duration.ofSeconds(329)), NOW.plus(Duration.ofSeconds(330)));
    }

    @Test
    void aLongerRetryAfterWinsAShorterOneDoesNotAndItIsCapped() {
        var middle = policy(0.5);
        assertThat(middle.nextAttempt(1, NOW, Optional.of(Duration.ofSeconds(120))))
                .contains(NOW.plusSeconds(120));
        assertThat(middle.nextAttempt(2, NOW, Optional.of(Duration.ofSeconds(1))))
                .contains(NOW.plus(Duration.ofMinutes(5)));
        assertThat(middle.nextAttempt(1, NOW, Optional.of(Duration.ofDays(30))))
                .contains(NOW.plus(Duration.ofHours(24)));
        assertThat(middle.nextAttempt(10, NOW, Optional.of(Duration.ofSeconds(1)))).isEmpty();
    }

    @Test
    void readsRetryAfterAsSecondsOrAsAnHttpDate() {
        assertThat(RetryPolicy.parseRetryAfter("120", NOW)).contains(Duration.ofSeconds(120));
        assertThat(RetryPolicy.parseRetryAfter(" 7 ", NOW)).contains(Duration.ofSeconds(7));
        assertThat(RetryPolicy.parseRetryAfter("Sun, 01 Nov 2026 12:01:30 GMT", NOW)).contains(Duration.ofSeconds(90));
        assertThat(RetryPolicy.parseRetryAfter("Sun, 01 Nov 2026 11:00:00 GMT", NOW)).isEmpty();
        assertThat(RetryPolicy.parseRetryAfter("0", NOW)).isEmpty();
        assertThat(RetryPolicy.parseRetryAfter("-5", NOW)).isEmpty();
        assertThat(RetryPolicy.parseRetryAfter("soon", NOW)).isEmpty();
        assertThat(RetryPolicy.parseRetryAfter(null, NOW)).isEmpty();
    }

    @Test
    void anEndpointIsFailingTooLongAfterFiveDaysWithoutSuccess() {
        var limit = Duration.ofDays(5);
        Instant since = NOW.minus(limit);
        assertThat(RetryPolicy.failingTooLong(since, NOW, limit)).isTrue();
        assertThat(RetryPolicy.failingTooLong(since.plusSeconds(1), NOW, limit)).isFalse();
        assertThat(RetryPolicy.failingTooLong(null, NOW, limit)).isFalse();
    }

    @Test
    void theScheduleIsConfigurable() {
        var properties = new WebhookProperties(false, List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), 0.0,
                Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofHours(24),
                Duration.ofDays(5), 8, 2, Duration.ofMillis(500), Duration.ofSeconds(60), 16);
        var custom = new RetryPolicy(properties, () -> 0.3);
        assertThat(custom.nextAttempt(1, NOW, Optional.empty())).contains(NOW.plusSeconds(1));
        assertThat(custom.nextAttempt(2, NOW, Optional.empty())).contains(NOW.plusSeconds(2));
        assertThat(custom.nextAttempt(3, NOW, Optional.empty())).isEmpty();
    }
}
