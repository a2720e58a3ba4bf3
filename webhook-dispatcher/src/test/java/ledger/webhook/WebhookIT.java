package ledger.webhook;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import ledger.events.EventId;
import ledger.events.InvoiceCancelled;
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
import ledger.testsupport.JdbcCounter;
import ledger.testsupport.LedgerInfrastructure;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.test.context.ContextConfiguration;

/**
 * The one Spring context the module's integration tests share: the dispatcher on real PostgreSQL and
 * Kafka, private (loopback, http) targets allowed, a short retry schedule. Tests publish events and access
 * records on the topics the way command-service does and receive webhooks on loopback {@link Receiver}s.
 */
@AutoConfigureObservability // @SpringBootTest turns metric exporters off otherwise
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ledger.webhooks.allow-private-targets=true",
        "ledger.webhooks.retry-schedule=300ms,300ms,300ms,300ms,300ms",
        "ledger.webhooks.poll-interval=100ms",
        "spring.kafka.consumer.properties.interceptor.classes=ledger.webhook.OffsetCommits"})
@ContextConfiguration(initializers = LedgerInfrastructure.Initializer.class)
@Import(WebhookIT.Clocks.class)
public abstract class WebhookIT {

    protected static final Currency USD = Currency.getInstance("USD");
    protected static final String TOPIC = "ledger.invoice-events";
    private static KafkaProducer<String, String> producer;

    @LocalServerPort
    protected int port;

    /** The clock every bean of the context reads; tests that move it reset it. */
    @Autowired
    protected MovableClock clock;

    @Autowired
    private KafkaListenerEndpointRegistry listeners;

    @TestConfiguration(proxyBeanMethods = false)
    static class Clocks {
        @Bean
        @Primary
        MovableClock movableClock() {
            return new MovableClock();
        }

        @Bean
        static JdbcCounter jdbcCounter() {
            return new JdbcCounter(DispatcherCostIT::kind);
        }
    }

    /**
     * Stops the inbox taking records until {@link #resumeInbox}: what is published meanwhile arrives in one
     * poll, as one batch.
     */
    protected void pauseInbox() {
        inbox().pause();
        await().atMost(Duration.ofSeconds(20)).until(() -> inbox().isContainerPaused());
    }

    protected void resumeInbox() {
        inbox().resume();
    }

    private MessageListenerContainer inbox() {
        return listeners.getListenerContainers().stream()
                .filter(c -> List.of(c.getContainerProperties().getTopics()).contains(TOPIC))
                .findFirst().orElseThrow();
    }

    /** A store registered on the access topic, with its callback secret and a key for the webhooks API. */
    protected record TestStore(StoreId id, String callbackSecret, String key) {
    }

    protected static synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            var props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LedgerInfrastructure.servers().bootstrapServers());
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            producer = new KafkaProducer<>(props);
            Runtime.getRuntime().addShutdownHook(new Thread(producer::close));
        }
        return producer;
    }

    protected ApiClient api() {
        return new ApiClient("http://localhost:" + port);
    }

    protected static TestStore newStore() throws Exception {
        var id = StoreId.generate();
        String secret = "whsec_" + Base64.getEncoder().encodeToString(ledger.events.Ids.randomToken(32).getBytes());
        var store = new AccessRecord.Store(id, "Test store", secret, Instant.now());
        sendAccess(store);
        return new TestStore(id, secret, keyFor(id, Scopes.WEBHOOKS_READ, Scopes.WEBHOOKS_WRITE));
    }

    protected static String keyFor(StoreId store, String... scopes) throws Exception {
        return key(store, "test", scopes);
    }

    /** A key of the store's live ledger (§3), with both webhook scopes. */
    protected static String liveKeyFor(StoreId store) throws Exception {
        return key(store, "live", Scopes.WEBHOOKS_READ, Scopes.WEBHOOKS_WRITE);
    }

    private static String key(StoreId store, String mode, String... scopes) throws Exception {
        String key = ApiKeys.generate(mode);
        sendAccess(new AccessRecord.ApiKey("key_" + ledger.events.Ids.randomToken(16), store, ApiKeys.hash(key),
                Set.of(scopes), mode, Instant.now(), null));
        return key;
    }

    private static void sendAccess(AccessRecord record) throws Exception {
        producer().send(new ProducerRecord<>("ledger.access", record.recordKey(),
                LedgerJson.mapper().writerFor(AccessRecord.class).writeValueAsString(record))).get(10, TimeUnit.SECONDS);
    }

    protected static void publish(LedgerEvent... events) throws Exception {
        publishTo(TOPIC, events);
    }

    /** A record on the events topic as it came, parseable or not. */
    protected static void publishRaw(String key, String value) throws Exception {
        producer().send(new ProducerRecord<>(TOPIC, key, value)).get(10, TimeUnit.SECONDS);
    }

    protected static void publishTo(String topic, LedgerEvent... events) throws Exception {
        for (LedgerEvent event : events) {
            producer().send(new ProducerRecord<>(topic, event.invoiceId().value(),
                    LedgerJson.mapper().writerFor(LedgerEvent.class).writeValueAsString(event))).get(10, TimeUnit.SECONDS);
        }
    }

    /** Creates an endpoint through the API; returns the response body (with the one-time {@code secret}). */
    protected JsonNode createEndpoint(TestStore store, String url, String enabledEvents) {
        return createEndpoint(store.key(), url, enabledEvents);
    }

    /** Creates an endpoint with {@code key}, so in that key's mode. */
    protected JsonNode createEndpoint(String key, String url, String enabledEvents) {
        var response = api().post("/v1/webhook_endpoints", key,
                "{\"url\":\"" + url + "\",\"enabled_events\":" + enabledEvents + "}");
        if (response.status() != 201) {
            throw new IllegalStateException("endpoint not created: " + response.status() + " " + response.raw());
        }
        return response.json();
    }

    protected static InvoiceCreated created(StoreId store, String amount, String callbackUrl) {
        return created(store, amount, callbackUrl, false);
    }

    protected static InvoiceCreated created(StoreId store, String amount, String callbackUrl, boolean livemode) {
        var now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return new InvoiceCreated(EventId.generate(), InvoiceId.generate(), store, 1, now, null, Money.parse(amount, USD),
                List.of(),
                "order-" + ledger.events.Ids.randomToken(6), "Test invoice", null, Map.of("channel", "web"),
                "http://localhost/checkout/x", callbackUrl, null, null, now.plusSeconds(3600), livemode,
                InvoiceStatus.OPEN, Money.zero(USD), Money.parse(amount, USD));
    }

    /** A payment bringing the invoice's paid total to {@code paidTotal}; status follows from the amounts. */
    protected static PaymentReceived payment(InvoiceCreated invoice, long sequence, String amount, String paidTotal) {
        var now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        var paid = Money.parse(paidTotal, USD);
        int cmp = paid.amount().compareTo(invoice.amount().amount());
        var status = cmp < 0 ? InvoiceStatus.PARTIALLY_PAID : cmp == 0 ? InvoiceStatus.PAID : InvoiceStatus.OVERPAID;
        return new PaymentReceived(EventId.generate(), invoice.invoiceId(), invoice.storeId(), sequence, now,
                PaymentId.generate(), Money.parse(amount, USD), "ref-" + sequence, "card", now, status, paid,
                invoice.amount().minusFloorZero(paid));
    }

    protected static InvoiceCancelled cancelled(InvoiceCreated invoice, long sequence) {
        return new InvoiceCancelled(EventId.generate(), invoice.invoiceId(), invoice.storeId(), sequence,
                Instant.now().truncatedTo(ChronoUnit.MICROS), "changed mind", InvoiceStatus.CANCELLED,
                Money.zero(USD), invoice.amount());
    }
}
