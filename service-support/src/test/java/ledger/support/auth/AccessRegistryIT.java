package ledger.support.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import ledger.events.LedgerJson;
import ledger.events.StoreId;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** The registry against a real broker: a key published a moment ago is known on its first use. */
class AccessRegistryIT {

    private static final String TOPIC = "ledger.access";
    private static EmbeddedKafkaKraftBroker broker;
    private static AccessRegistry registry;
    private static KafkaProducer<String, String> producer;

    @BeforeAll
    static void start() {
        broker = new EmbeddedKafkaKraftBroker(1, 1, TOPIC);
        broker.afterPropertiesSet();
        registry = new AccessRegistry(broker.getBrokersAsString(), TOPIC, LedgerJson.mapper());
        registry.start();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
    }

    @AfterAll
    static void stop() {
        producer.close();
        registry.stop();
        broker.destroy();
    }

    /**
     * Another key missed just before the new key was published (a stranger's request, or a test's) must not
     * make the new key's first request a 401: the miss's end offset predates the key's record.
     */
    @RepeatedTest(5)
    void aKeyPublishedJustAfterAnotherMissIsKnownOnItsFirstUse() throws Exception {
        assertThat(registry.keyByHash(ApiKeys.hash(ApiKeys.generate("test")))).isEmpty();

        String key = ApiKeys.generate("test");
        var record = new AccessRecord.ApiKey("key_" + System.nanoTime(), StoreId.generate(),
                ApiKeys.hash(key), Set.of("invoices:read"), "test", Instant.now(), null);
        producer.send(new ProducerRecord<>(TOPIC, record.recordKey(),
                LedgerJson.mapper().writeValueAsString(record))).get();

        assertThat(registry.keyByHash(ApiKeys.hash(key))).isPresent();
    }
}
