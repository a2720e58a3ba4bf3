package ledger.command.relay;

import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code relayLag} health component: DOWN while events wait for Kafka longer than
 * {@code ledger.relay.max-lag}, or while the relay fails or does not run. Writes stay accepted (the
 * event store is the truth, and the relay catches up from it); health says that nobody downstream —
 * read model, webhooks — sees them yet.
 */
@Component
class RelayLagHealthIndicator implements HealthIndicator {

    private final RelayProgress progress;
    private final Clock clock;
    private final Duration maxLag;

    RelayLagHealthIndicator(RelayProgress progress, Clock clock, RelayProperties properties) {
        this.progress = progress;
        this.clock = clock;
        this.maxLag = properties.maxLag();
    }

    @Override
    public Health health() {
        var state = progress.read();
        if (!state.running()) {
            return Health.down().withDetail("reason", "the Kafka relay is not running").build();
        }
        if (state.error() != null) {
            return Health.down().withDetail("reason", "the Kafka relay is retrying a failed batch")
                    .withDetail("error", state.error().toString()).build();
        }
        if (!state.claimsSegments()) {
            return Health.up().withDetail("relayed_by", "another instance").build();
        }
        Duration lag = state.oldestUnrelayed() == null ? Duration.ZERO
                : Duration.between(state.oldestUnrelayed(), clock.instant());
        var health = lag.compareTo(maxLag) > 0 ? Health.down().withDetail("reason", "events wait for Kafka")
                : Health.up();
        return health.withDetail("lag", lag.toString()).withDetail("max_lag", maxLag.toString()).build();
    }
}
