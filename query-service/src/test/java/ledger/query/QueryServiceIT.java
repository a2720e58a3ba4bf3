package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Currency;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import ledger.events.EventId;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.Money;
import ledger.events.PaymentId;
import ledger.events.PaymentReceived;
import ledger.events.StoreId;
import ledger.support.auth.AccessRecord;
import ledger.support.auth.ApiKeys;
import ledger.support.auth.Scopes;
import ledger.testsupport.ApiClient;
import ledger.testsupport.LedgerInfrastructure;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;

/** query-service on real PostgreSQL and Kafka: events on the topic → projection → HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = LedgerInfrastructure.Initializer.class)
class QueryServiceIT {

    static final Currency USD = Currency.getInstance("USD");
    static final String TOPIC = "ledger.invoice-events";
    static KafkaProducer<String, String> producer;

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;

    @BeforeAll
    static void producer() {
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LedgerInfrastructure.servers().bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producer = new KafkaProducer<>(props);
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    ApiClient api() {
        return new ApiClient("http://localhost:" + port);
    }

    /** Registers a store and a key on the access topic, as command-service's admin API does. */
    static String keyFor(StoreId store, String... scopes) throws Exception {
        String key = ApiKeys.generate("test");
        var record = new AccessRecord.ApiKey("key_" + System.nanoTime(), store, ApiKeys.hash(key), Set.of(scopes),
                "test", Instant.now(), null);
        producer.send(new ProducerRecord<>("ledger.access", record.recordKey(),
                LedgerJson.mapper().writerFor(AccessRecord.class).writeValueAsString(record))).get(10, TimeUnit.SECONDS);
        return key;
    }

    static void publish(LedgerEvent event) throws Exception {
        producer.send(new ProducerRecord<>(TOPIC, event.invoiceId().value(),
                LedgerJson.mapper().writerFor(LedgerEvent.class).writeValueAsString(event))).get(10, TimeUnit.SECONDS);
    }

    static InvoiceCreated created(InvoiceId id, StoreId store, String amount) {
        var now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return new InvoiceCreated(EventId.generate(), id, store, 1, now, Money.parse(amount, USD), "order-1", null,
                null, Map.of("secret_code", "x", "channel", "web"), "http://localhost/checkout/" + id, null, null, null,
                now.plusSeconds(3600), false, InvoiceStatus.OPEN, Money.zero(USD), Money.parse(amount, USD));
    }

    static PaymentReceived paid(InvoiceCreated c, String amount) {
        var now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        var paid = Money.parse(amount, USD);
        return new PaymentReceived(EventId.generate(), c.invoiceId(), c.storeId(), 2, now, PaymentId.generate(), paid,
                "ref-1", null, now, InvoiceStatus.PARTIALLY_PAID, paid, c.amount().minusFloorZero(paid));
    }

    @Test
    void projectsInvoicesAndServesThemOnlyToTheirStore() throws Exception {
        var store = StoreId.generate();
        String key = keyFor(store, Scopes.INVOICES_READ);
        String otherStoreKey = keyFor(StoreId.generate(), Scopes.INVOICES_READ);
        var created = created(InvoiceId.generate(), store, "99.00");
        publish(created);

        String path = "/v1/invoices/" + created.invoiceId();
        await().atMost(Duration.ofSeconds(20)).until(() -> api().get(path, key).status() == 200);
        var body = api().get(path, key).json();
        assertThat(body.get("id").asText()).isEqualTo(created.invoiceId().value());
        assertThat(body.get("object").asText()).isEqualTo("invoice");
        assertThat(body.get("status").asText()).isEqualTo("open");
        assertThat(body.get("amount").asText()).isEqualTo("99.00");
        assertThat(body.get("amount_paid").asText()).isEqualTo("0.00");
        assertThat(body.get("amount_due").asText()).isEqualTo("99.00");
        assertThat(body.get("metadata").has("secret_code")).isFalse();
        assertThat(body.get("metadata").get("channel").asText()).isEqualTo("web");

        var foreign = api().get(path, otherStoreKey);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.json().get("code").asText()).isEqualTo("resource_missing");
        assertThat(api().get(path, null).status()).isEqualTo(401);
        assertThat(api().get(path, keyFor(store, Scopes.INVOICES_WRITE)).status()).isEqualTo(403);
        assertThat(api().get("/v1/invoices/inv_doesNotExist", key).status()).isEqualTo(404);
    }

    @Test
    void redeliveredAndOutOfOrderEventsLeaveTheSameReadModel() throws Exception {
        var store = StoreId.generate();
        String key = keyFor(store, Scopes.INVOICES_READ);
        var created = created(InvoiceId.generate(), store, "100.00");
        var payment = paid(created, "40.00");
        // The payment first, then the creation, then both again.
        publish(payment);
        publish(created);
        publish(created);
        publish(payment);

        String path = "/v1/invoices/" + created.invoiceId();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var body = api().get(path, key).json();
            assertThat(body.path("version").asLong()).isEqualTo(2);
            assertThat(body.get("status").asText()).isEqualTo("partially_paid");
            assertThat(body.get("amount_paid").asText()).isEqualTo("40.00");
            assertThat(body.get("amount_due").asText()).isEqualTo("60.00");
            assertThat(body.get("payments")).hasSize(1);
        });
        // Wait until all four records were consumed, then check nothing was counted twice.
        var marker = created(InvoiceId.generate(), store, "1.00");
        publish(marker);
        await().atMost(Duration.ofSeconds(20)).until(() -> api().get("/v1/invoices/" + marker.invoiceId(), key).status() == 200);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM query.ledger_event WHERE invoice_id = ?", Integer.class,
                created.invoiceId().value())).isEqualTo(2);
        assertThat(api().get(path, key).json().get("payments")).hasSize(1);
    }
}
