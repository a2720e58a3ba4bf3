package ledger.command.relay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code kafkaBroker} health component: DOWN when no broker answers, since no event then reaches
 * the read model or any receiver. The answer is kept a few seconds, so frequent health checks (the
 * gateway's, an orchestrator's) cost the broker one request per interval.
 */
@Component
class KafkaBrokerHealthIndicator implements HealthIndicator {

    /** Under the gateway's 2 s health probe, so the gateway sees this service answer DOWN, not time out. */
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    static final Duration KEPT_FOR = Duration.ofSeconds(5);

    private final BrokerProbe probe;
    private final Clock clock;
    private Health last;
    private Instant lastAt;

    KafkaBrokerHealthIndicator(BrokerProbe probe, Clock clock) {
        this.probe = probe;
        this.clock = clock;
    }

    @Override
    public synchronized Health health() {
        Instant now = clock.instant();
        if (last == null || !now.isBefore(lastAt.plus(KEPT_FOR))) {
            last = probe();
            lastAt = now;
        }
        return last;
    }

    private Health probe() {
        try {
            return Health.up().withDetail("cluster_id", probe.describeCluster(TIMEOUT)).build();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Health.down().withDetail("error", "no Kafka broker answered within " + TIMEOUT).build();
        }
    }
}
