package ledger.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import ledger.events.StoreId;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** The dispatcher starts on real PostgreSQL and Kafka, joins its consumer group and records every event once. */
class WebhookDispatcherIT extends WebhookIT {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void reportsHealthAndRecordsEachEventOnceEvenWhenRedelivered() throws Exception {
        var health = api().get("/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");

        var event = created(StoreId.generate(), "5.00", null);
        double duplicatesBefore = duplicates();
        publish(event, event);
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM webhook.event_inbox WHERE event_id = ?", Integer.class,
                event.eventId().value()) == 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> duplicates() >= duplicatesBefore + 1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook.event_inbox WHERE event_id = ?", Integer.class,
                event.eventId().value())).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook.webhook_event WHERE event_id = ?", Integer.class,
                event.eventId().value())).isEqualTo(1);
    }

    @Test
    void exposesWebhookMetrics() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(api().get("/actuator/prometheus", null).raw())
                .contains("ledger_webhook_queue_depth")
                .contains("ledger_webhook_delivery_latency_seconds"));
    }

    private double duplicates() {
        String metrics = api().get("/actuator/prometheus", null).raw();
        var m = java.util.regex.Pattern.compile(
                "ledger_webhook_inbox_events_total\\{[^}]*outcome=\"duplicate\"[^}]*} ([0-9.E]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
