package ledger.query;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.StoreId;
import ledger.support.auth.AccessRecord;
import ledger.support.auth.ApiKeys;
import ledger.testsupport.ApiClient;
import ledger.testsupport.JdbcCounter;
import ledger.testsupport.LedgerInfrastructure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;

/**
 * Base of every query-service IT: one Spring context (same annotations everywhere) on the shared real
 * PostgreSQL and Kafka. Events are published to the topic the way command-service's relay does:
 * key = invoice id, the event JSON, headers {@code event_id}, {@code event_type}, {@code invoice_id}
 * and {@code global_position}.
 */
// Metrics export is off in Spring Boot tests unless asked for; the ITs check /actuator/prometheus.
@AutoConfigureObservability(tracing = false)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ledger.admin-token=" + QueryIntegrationTest.ADMIN_TOKEN)
@ContextConfiguration(initializers = LedgerInfrastructure.Initializer.class)
@Import(QueryIntegrationTest.Counting.class)
public abstract class QueryIntegrationTest {

    /** The projection's statements and rows, counted on its Kafka listener threads ("listener"). */
    @TestConfiguration(proxyBeanMethods = false)
    static class Counting {
        @Bean
        static JdbcCounter jdbcCounter() {
            return new JdbcCounter(thread -> thread.contains("KafkaListenerEndpointContainer") ? "listener" : "other");
        }
    }

    protected static final String TOPIC = "ledger.invoice-events";
    protected static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    /** The event store's global index as the relay would stamp it: increasing across all tests. */
    private static final AtomicLong GLOBAL_POSITION = new AtomicLong(1_000_000);
    private static final com.fasterxml.jackson.databind.ObjectWriter EVENT_JSON =
            LedgerJson.mapper().writerFor(LedgerEvent.class);
    protected static KafkaProducer<String, String> producer;

    @LocalServerPort
    protected int port;
    @Autowired
    protected JdbcTemplate jdbc;

    @BeforeAll
    static void producer() {
        if (producer == null) {
            var props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LedgerInfrastructure.servers().bootstrapServers());
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            producer = new KafkaProducer<>(props);
        }
    }

    @AfterAll
    static void flush() {
        producer.flush();
    }

    protected ApiClient api() {
        return new ApiClient("http://localhost:" + port);
    }

    /** Registers a store's test key on the access topic, as command-service's admin API does, and waits until it works. */
    protected String keyFor(StoreId store, String... scopes) throws Exception {
        return keyFor(store, false, scopes);
    }

    protected String keyFor(StoreId store, boolean livemode, String... scopes) throws Exception {
        String mode = livemode ? "live" : "test";
        String key = ApiKeys.generate(mode);
        var record = new AccessRecord.ApiKey("key_" + System.nanoTime(), store, ApiKeys.hash(key), Set.of(scopes),
                mode, Instant.now(), null);
        producer.send(new ProducerRecord<>("ledger.access", record.recordKey(),
                LedgerJson.mapper().writerFor(AccessRecord.class).writeValueAsString(record))).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> api().get("/v1/invoices?limit=1", key).status() != 401);
        return key;
    }

    /** Publishes with the next global position; returns it. */
    protected static long publish(LedgerEvent event) throws Exception {
        long position = GLOBAL_POSITION.incrementAndGet();
        publish(event, position);
        return position;
    }

    /** Publishes with the given global position header, or none when {@code globalPosition} is null. */
    protected static void publish(LedgerEvent event, Long globalPosition) throws Exception {
        send(event, globalPosition).get(10, TimeUnit.SECONDS);
    }

    protected static java.util.concurrent.Future<?> send(LedgerEvent event, Long globalPosition) throws Exception {
        return send(event, EVENT_JSON.writeValueAsString(event), globalPosition);
    }

    /** Sends {@code json} as {@code event}'s record: for JSON of an older schema revision than the record writes. */
    protected static java.util.concurrent.Future<?> send(LedgerEvent event, String json, Long globalPosition) {
        var record = new ProducerRecord<>(TOPIC, event.invoiceId().value(), json);
        record.headers()
                .add("event_id", bytes(event.eventId().value()))
                .add("event_type", bytes(event.type()))
                .add("invoice_id", bytes(event.invoiceId().value()));
        if (globalPosition != null) {
            record.headers().add("global_position", bytes(Long.toString(globalPosition)));
        }
        return producer.send(record);
    }

    protected static long nextPosition() {
        return GLOBAL_POSITION.incrementAndGet();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Waits until the projection's consumer group has committed every record on the topic. */
    protected static void awaitProjected() {
        producer.flush();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                LedgerInfrastructure.servers().bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("query-service")
                        .partitionsToOffsetAndMetadata().get();
                var partitions = admin.describeTopics(Set.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions();
                var latest = admin.listOffsets(partitions.stream().collect(Collectors.toMap(
                        p -> new TopicPartition(TOPIC, p.partition()), p -> OffsetSpec.latest()))).all().get();
                return latest.entrySet().stream().allMatch(e -> {
                    var c = committed.get(e.getKey());
                    return e.getValue().offset() == 0 || c != null && c.offset() >= e.getValue().offset();
                });
            });
        }
    }

    /** md5 over every row of {@code table} as text, in {@code orderBy} order. */
    protected String checksum(String table, String orderBy) {
        return jdbc.queryForObject("SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY " + orderBy + "), '')) FROM "
                + table + " t", String.class);
    }
}
