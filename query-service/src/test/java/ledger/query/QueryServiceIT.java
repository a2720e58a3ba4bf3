package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import ledger.events.StoreId;
import ledger.support.auth.Scopes;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTask;
import org.springframework.scheduling.config.ScheduledTaskHolder;

/** query-service on real PostgreSQL and Kafka: events on the topic → projection → HTTP. */
class QueryServiceIT extends QueryIntegrationTest {

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    @Test
    void projectsInvoicesAndServesThemOnlyToTheirStore() throws Exception {
        var store = StoreId.generate();
        String key = keyFor(store, Scopes.INVOICES_READ);
        String otherStoreKey = keyFor(StoreId.generate(), Scopes.INVOICES_READ);
        var invoice = InvoiceHistory.of(store, "99.00", "USD");
        publish(invoice.create(now(), null, now().plusSeconds(3600)));

        await().atMost(Duration.ofSeconds(20)).until(() -> api().get(invoice.path(), key).status() == 200);
        var body = api().get(invoice.path(), key).json();
        assertThat(body.get("id").asText()).isEqualTo(invoice.id().value());
        assertThat(body.get("object").asText()).isEqualTo("invoice");
        assertThat(body.get("status").asText()).isEqualTo("open");
        assertThat(body.get("amount").asText()).isEqualTo("99.00");
        assertThat(body.get("amount_paid").asText()).isEqualTo("0.00");
        assertThat(body.get("amount_due").asText()).isEqualTo("99.00");
        assertThat(body.get("metadata").has("api_key")).isFalse();
        assertThat(body.get("metadata").get("channel").asText()).isEqualTo("web");

        for (String path : new String[] {invoice.path(), invoice.path() + "/status", invoice.path() + "/events"}) {
            var foreign = api().get(path, otherStoreKey);
            assertThat(foreign.status()).as(path).isEqualTo(404);
            assertThat(foreign.json().get("code").asText()).isEqualTo("resource_missing");
            assertThat(api().get(path, null).status()).isEqualTo(401);
            assertThat(api().get(path, keyFor(store, Scopes.INVOICES_WRITE)).status()).isEqualTo(403);
        }
        assertThat(api().get("/v1/invoices/inv_doesNotExist", key).status()).isEqualTo(404);
    }

    @Test
    void redeliveredAndOutOfOrderEventsLeaveTheSameReadModel() throws Exception {
        var store = StoreId.generate();
        String key = keyFor(store, Scopes.INVOICES_READ);
        var invoice = InvoiceHistory.of(store, "100.00", "USD");
        var created = invoice.create(now(), null, now().plusSeconds(3600));
        var payment = invoice.pay("40.00", now());
        // The payment first, then the creation, then both again.
        long createdAt = nextPosition();
        long paidAt = nextPosition();
        publish(payment, paidAt);
        publish(created, createdAt);
        publish(created, createdAt);
        publish(payment, paidAt);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var body = api().get(invoice.path(), key).json();
            assertThat(body.path("version").asLong()).isEqualTo(2);
            assertThat(body.get("status").asText()).isEqualTo("partially_paid");
            assertThat(body.get("amount_paid").asText()).isEqualTo("40.00");
            assertThat(body.get("amount_due").asText()).isEqualTo("60.00");
            assertThat(body.get("payments")).hasSize(1);
        });
        awaitProjected();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM query.ledger_event WHERE invoice_id = ?", Integer.class,
                invoice.id().value())).isEqualTo(2);
        assertThat(api().get(invoice.path(), key).json().get("payments")).hasSize(1);
    }

    @Test
    void projectionLagIsExposedToPrometheus() throws Exception {
        var store = StoreId.generate();
        var invoice = InvoiceHistory.of(store, "5.00", "USD");
        publish(invoice.create(now(), null, now().plusSeconds(60)));
        awaitProjected();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = api().get("/actuator/prometheus", null).raw();
            assertThat(metrics).contains("ledger_projection_lag_events ")
                    .contains("ledger_projection_lag_seconds_bucket{le=\"0.05\"}")
                    .contains("ledger_projection_lag_last_milliseconds ")
                    .containsPattern("ledger_projection_events_applied_total [1-9]");
        });
    }

    /** service-support's purge of expired Idempotency-Key records runs on Spring's scheduler, hourly. */
    @Test
    void expiredIdempotencyKeysArePurgedHourly(@Autowired ScheduledTaskHolder scheduler) {
        assertThat(scheduler.getScheduledTasks()).map(ScheduledTask::getTask)
                .filteredOn(task -> task.toString().endsWith("IdempotencyPurge.purge"))
                .singleElement()
                .isInstanceOfSatisfying(FixedDelayTask.class,
                        task -> assertThat(task.getIntervalDuration()).isEqualTo(Duration.ofHours(1)));
    }

    @Test
    void statusIsTheLightweightCheckoutView() throws Exception {
        var store = StoreId.generate();
        String key = keyFor(store, Scopes.INVOICES_READ);
        var invoice = InvoiceHistory.of(store, "1000", "JPY");
        Instant expires = Instant.parse("2030-01-01T00:00:00Z");
        publish(invoice.create(now(), null, expires));
        publish(invoice.pay("250", now()));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var response = api().get(invoice.path() + "/status", key);
            assertThat(response.status()).isEqualTo(200);
            var body = response.json();
            assertThat(body.get("id").asText()).isEqualTo(invoice.id().value());
            assertThat(body.get("status").asText()).isEqualTo("partially_paid");
            assertThat(body.get("amount_due").asText()).isEqualTo("750");
            assertThat(body.get("currency").asText()).isEqualTo("JPY");
            assertThat(body.get("expires_at").asText()).isEqualTo("2030-01-01T00:00:00Z");
            assertThat(body.get("return_url").asText()).isEqualTo("https://merchant.example.com/thanks");
            assertThat(response.header("Ledger-Version")).contains("2");
        });
    }
}
