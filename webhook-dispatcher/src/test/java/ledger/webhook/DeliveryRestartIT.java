package ledger.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.standardwebhooks.Webhook;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import ledger.testsupport.ApiClient;
import ledger.testsupport.LedgerInfrastructure;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A pending retry survives the dispatcher being stopped: the first attempt fails, the dispatcher's context
 * is closed before the retry is due, and a new one makes the retry. These contexts have their own schema,
 * topic and consumer group, so the shared test context running in the same JVM can't do the work for them.
 */
class DeliveryRestartIT {

    private static final String TOPIC = "ledger.invoice-events.restart-it";
    private static final String SCHEMA = "webhook_restart";

    private static ConfigurableApplicationContext startDispatcher() {
        return startDispatcher(SCHEMA, TOPIC, "--ledger.webhooks.retry-schedule=4s", "--ledger.webhooks.retry-jitter=0",
                "--ledger.webhooks.poll-interval=100ms");
    }

    /**
     * A dispatcher of its own on the shared servers: its own schema, topic and consumer group (named after the
     * topic), private targets allowed, and {@code settings} on top.
     */
    static ConfigurableApplicationContext startDispatcher(String schema, String topic, String... settings) {
        var servers = LedgerInfrastructure.servers();
        var args = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.datasource.url=" + servers.jdbcUrl(),
                "--spring.datasource.username=" + servers.user(),
                "--spring.datasource.password=" + servers.password(),
                "--spring.kafka.bootstrap-servers=" + servers.bootstrapServers(),
                "--spring.datasource.hikari.schema=" + schema,
                "--spring.flyway.schemas=" + schema,
                "--spring.flyway.default-schema=" + schema,
                "--spring.kafka.consumer.group-id=webhook-dispatcher-" + topic,
                "--ledger.topics.invoice-events=" + topic,
                "--ledger.webhooks.allow-private-targets=true"));
        args.addAll(List.of(settings));
        // Command-line arguments, because they override application.yml (builder properties would not).
        return new SpringApplicationBuilder(WebhookDispatcherApplication.class).run(args.toArray(String[]::new));
    }

    static ApiClient api(ConfigurableApplicationContext context) {
        return new ApiClient("http://localhost:" + context.getEnvironment().getProperty("local.server.port"));
    }

    @Test
    void aPendingRetrySurvivesARestart() throws Exception {
        var store = WebhookIT.newStore();
        try (var receiver = Receiver.start().respond(n -> Receiver.Answer.status(n == 0 ? 500 : 200))) {
            var first = startDispatcher();
            String secret;
            String endpointId;
            var invoice = WebhookIT.created(store.id(), "42.00", null);
            String eventId = invoice.eventId().value();
            try {
                var endpoint = api(first).post("/v1/webhook_endpoints", store.key(),
                        "{\"url\":\"" + receiver.url("/hooks") + "\"}").json();
                secret = endpoint.get("secret").asText();
                endpointId = endpoint.get("id").asText();
                WebhookIT.publishTo(TOPIC, invoice);
                var jdbc = first.getBean(JdbcTemplate.class);
                await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                        "SELECT count(*) FROM " + SCHEMA + ".delivery WHERE event_id = ? AND state = 'pending' AND attempts = 1",
                        Integer.class, eventId) == 1);
            } finally {
                first.close();
            }
            // The retry was due 4 s after the first attempt; the stopped dispatcher did not make it.
            assertThat(receiver.requestsFor(eventId)).hasSize(1);

            try (var second = startDispatcher()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requestsFor(eventId).size() == 2);
                var requests = receiver.requestsFor(eventId);
                assertThat(requests.get(1).body()).isEqualTo(requests.get(0).body());
                for (var request : requests) {
                    new Webhook(secret).verify(request.body(), request.headers());
                }
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(api(second)
                        .get("/v1/webhook_endpoints/" + endpointId + "/deliveries", store.key()).json().get("data"))
                        .extracting(n -> n.get("outcome").asText()).containsExactly("succeeded", "retrying"));
            }
        }
    }
}
