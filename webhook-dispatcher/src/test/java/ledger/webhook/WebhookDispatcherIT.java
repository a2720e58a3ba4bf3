package ledger.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Currency;
import java.util.Map;
import java.util.Properties;
import ledger.events.EventId;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.Money;
import ledger.events.StoreId;
import ledger.testsupport.ApiClient;
import ledger.testsupport.LedgerInfrastructure;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;

/** The dispatcher starts on real PostgreSQL and Kafka, joins its consumer group and records every event once. */
@AutoConfigureObservability // @SpringBootTest turns metric exporters off otherwise
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = LedgerInfrastructure.Initializer.class)
class WebhookDispatcherIT {

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void reportsHealthAndRecordsEachEventOnceEvenWhenRedelivered() throws Exception {
        var health = new ApiClient("http://localhost:" + port).get("/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");

        var usd = Currency.getInstance("USD");
        var now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        LedgerEvent event = new InvoiceCreated(EventId.generate(), InvoiceId.generate(), StoreId.generate(), 1, now,
                Money.parse("5.00", usd), null, null, null, Map.of(), "http://localhost/checkout/x", null, null, null,
                now.plusSeconds(60), false, InvoiceStatus.OPEN, Money.zero(usd), Money.parse("5.00", usd));
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LedgerInfrastructure.servers().bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (var producer = new KafkaProducer<String, String>(props)) {
            String json = LedgerJson.mapper().writerFor(LedgerEvent.class).writeValueAsString(event);
            producer.send(new ProducerRecord<>("ledger.invoice-events", event.invoiceId().value(), json)).get();
            producer.send(new ProducerRecord<>("ledger.invoice-events", event.invoiceId().value(), json)).get();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM webhook.event_inbox WHERE event_id = ?", Integer.class,
                event.eventId().value()) == 1);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                new ApiClient("http://localhost:" + port).get("/actuator/prometheus", null).raw())
                .containsPattern("ledger_webhook_inbox_events_total\\{[^}]*outcome=\"duplicate\"[^}]*} 1\\.0"));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook.event_inbox WHERE event_id = ?", Integer.class,
                event.eventId().value())).isEqualTo(1);
    }
}
