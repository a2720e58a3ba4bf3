package ledger.webhook.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * Webhook metrics: {@code ledger.webhook.attempts{outcome}} (succeeded, http_error, gone, timeout,
 * network_error, blocked), {@code ledger.webhook.delivery.latency} (ledger event occurred → 2xx received)
 * and {@code ledger.webhook.queue.depth} (deliveries waiting for an attempt, refreshed by the poller).
 */
@Component
class DeliveryMetrics {

    private final MeterRegistry registry;
    private final Timer latency;
    private final AtomicLong depth = new AtomicLong();
    /** Per outcome: looked up once, not on every attempt. */
    private final Map<String, Counter> attempts = new ConcurrentHashMap<>();

    DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.latency = Timer.builder("ledger.webhook.delivery.latency")
                .description("From the ledger event to the receiver's 2xx")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(5))
                .maximumExpectedValue(Duration.ofDays(2))
                .register(registry);
        Gauge.builder("ledger.webhook.queue.depth", depth, AtomicLong::get)
                .description("Deliveries waiting for an attempt").register(registry);
    }

    void attempt(String outcome) {
        attempts.computeIfAbsent(outcome, o -> registry.counter("ledger.webhook.attempts", "outcome", o)).increment();
    }

    void delivered(Duration sinceEvent) {
        latency.record(sinceEvent.isNegative() ? Duration.ZERO : sinceEvent);
    }

    void depth(long pending) {
        depth.set(pending);
    }
}
