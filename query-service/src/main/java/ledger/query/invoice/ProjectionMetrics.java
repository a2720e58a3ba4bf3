package ledger.query.invoice;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import ledger.events.LedgerEvent;
import org.apache.kafka.common.TopicPartition;
import org.springframework.stereotype.Component;

/**
 * Projection lag on {@code /actuator/prometheus}:
 * <ul>
 *   <li>{@code ledger_projection_lag_events} — records on the topic not yet applied by this
 *       instance's consumers (sum over their partitions of log-end offset − position, plus the batch
 *       in hand);</li>
 *   <li>{@code ledger_projection_lag_seconds} — a histogram of now − {@code occurred_at} when an event
 *       is applied (Prometheus base unit; p99 via {@code histogram_quantile});</li>
 *   <li>{@code ledger_projection_lag_last_milliseconds} — that delay for the latest applied event;</li>
 *   <li>{@code ledger_projection_events_applied_total} — new events applied (redeliveries excluded).</li>
 * </ul>
 */
@Component
class ProjectionMetrics {

    private final Clock clock;
    private final Timer lag;
    private final io.micrometer.core.instrument.Counter applied;
    private final AtomicLong lastLagMillis = new AtomicLong();
    private final Map<TopicPartition, Long> behind = new ConcurrentHashMap<>();

    ProjectionMetrics(MeterRegistry registry, Clock clock) {
        this.clock = clock;
        this.lag = Timer.builder("ledger.projection.lag")
                .description("Time from an event's occurred_at until the projection applied it")
                .publishPercentileHistogram()
                .serviceLevelObjectives(Duration.ofMillis(50))
                .register(registry);
        this.applied = registry.counter("ledger.projection.events.applied");
        Gauge.builder("ledger.projection.lag.last", lastLagMillis, AtomicLong::get)
                .description("occurred_at to apply time of the latest applied event")
                .baseUnit("milliseconds")
                .register(registry);
        Gauge.builder("ledger.projection.lag.events", behind,
                        m -> m.values().stream().mapToLong(Long::longValue).sum())
                .description("Events on this instance's partitions not yet applied")
                .register(registry);
    }

    void applied(Collection<LedgerEvent> events) {
        long now = clock.millis();
        for (LedgerEvent e : events) {
            long ms = Math.max(0, now - e.occurredAt().toEpochMilli());
            lag.record(Duration.ofMillis(ms));
            lastLagMillis.set(ms);
        }
        applied.increment(events.size());
    }

    void behind(TopicPartition partition, long events) {
        behind.put(partition, events);
    }

    void released(Collection<TopicPartition> partitions) {
        partitions.forEach(behind::remove);
    }
}
