package ledger.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code ledger.webhooks.*} as the environment gives it: comma-separated durations, defaults, sanity checks. */
class WebhookPropertiesTest {

    private static WebhookProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("ledger.webhooks", WebhookProperties.class);
    }

    @Test
    void readsTheRetryScheduleAsCommaSeparatedDurations() {
        var properties = bind(Map.of("ledger.webhooks.retry-schedule", "1s,2s,5s"));
        assertThat(properties.retrySchedule())
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5));
        assertThat(bind(Map.of("ledger.webhooks.retry-schedule", "5s,5m,30m,2h,5h,10h,14h,20h,24h")).retrySchedule())
                .isEqualTo(WebhookProperties.DEFAULT_RETRY_SCHEDULE);
    }

    @Test
    void defaultsMatchTheSpecification() {
        var properties = bind(Map.of());
        assertThat(properties.allowPrivateTargets()).isFalse();
        assertThat(properties.retrySchedule()).isEqualTo(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10),
                Duration.ofHours(14), Duration.ofHours(20), Duration.ofHours(24)));
        assertThat(properties.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(properties.secretRotationOverlap()).isEqualTo(Duration.ofHours(24));
        assertThat(properties.disableAfterFailing()).isEqualTo(Duration.ofDays(5));
        assertThat(properties.workers()).isGreaterThan(properties.perTargetConcurrency());
    }

    @Test
    void refusesSettingsThatWouldBreakIsolationOrLeases() {
        assertThatThrownBy(() -> bind(Map.of("ledger.webhooks.workers", "4",
                "ledger.webhooks.per-target-concurrency", "4"))).isInstanceOf(BindException.class);
        assertThatThrownBy(() -> bind(Map.of("ledger.webhooks.lease", "15s"))).isInstanceOf(BindException.class);
        assertThatThrownBy(() -> bind(Map.of("ledger.webhooks.retry-schedule", "1s,0s")))
                .isInstanceOf(BindException.class);
    }
}
