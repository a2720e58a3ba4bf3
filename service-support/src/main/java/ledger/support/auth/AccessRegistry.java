package ledger.support.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import ledger.events.StoreId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * This service's copy of every store and API key, read from the compacted access topic from its
 * start. A key created a moment ago may not have arrived yet, so a miss first waits (bounded) until
 * the copy has caught up with the topic's end before answering "unknown".
 */
public final class AccessRegistry implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AccessRegistry.class);
    private static final Duration CATCH_UP_ON_MISS = Duration.ofSeconds(2);
    private static final Duration CATCH_UP_ON_START = Duration.ofSeconds(60);

    private final String bootstrapServers;
    private final TopicPartition partition;
    private final ObjectMapper json;
    private final Map<String, AccessRecord.ApiKey> keysByHash = new ConcurrentHashMap<>();
    private final Map<StoreId, AccessRecord.Store> stores = new ConcurrentHashMap<>();
    private final Object progress = new Object();
    private volatile long position;
    private volatile boolean running;
    private long lastEnd = -1;
    private long lastEndAskedAt;
    private KafkaConsumer<String, String> consumer;
    private Admin admin;
    private Thread poller;

    public AccessRegistry(String bootstrapServers, String topic, ObjectMapper json) {
        this.bootstrapServers = bootstrapServers;
        this.partition = new TopicPartition(topic, 0);
        this.json = json;
    }

    /** The active key with this hash, or empty if unknown or revoked. */
    public Optional<AccessRecord.ApiKey> keyByHash(String hash) {
        var key = keysByHash.get(hash);
        if (key == null && awaitCaughtUp(CATCH_UP_ON_MISS)) {
            key = keysByHash.get(hash);
        }
        return Optional.ofNullable(key).filter(k -> k.revokedAt() == null);
    }

    public Optional<AccessRecord.Store> store(StoreId id) {
        var store = stores.get(id);
        if (store == null && awaitCaughtUp(CATCH_UP_ON_MISS)) {
            store = stores.get(id);
        }
        return Optional.ofNullable(store);
    }

    /** Applies a record directly: the writer calls this so its own reads never wait for the round trip. */
    public void apply(AccessRecord record) {
        if (record instanceof AccessRecord.Store s) {
            stores.put(s.storeId(), s);
        } else if (record instanceof AccessRecord.ApiKey k) {
            // Revocation is final: a stale active record arriving after it (a republish) must not undo it.
            keysByHash.merge(k.keyHash(), k, (known, arrived) -> known.revokedAt() != null ? known : arrived);
        }
    }

    /** Waits until everything on the topic when called has been applied. */
    public boolean awaitCaughtUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            long end = endOffset(System.nanoTime(), timeout);
            synchronized (progress) {
                while (position < end) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                }
            }
            return true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("Could not check the access topic's end offset: {}", e.toString());
            return false;
        }
    }

    /**
     * The topic's end offset as of a moment after {@code missedAt}. Misses that queue up behind one lookup
     * share the next one, so unknown keys cannot flood the broker; but an answer asked for before the miss
     * is never reused — it could predate the key's record, and a key just issued would read as unknown.
     */
    private synchronized long endOffset(long missedAt, Duration timeout) throws Exception {
        if (lastEnd >= 0 && lastEndAskedAt - missedAt >= 0) {
            return lastEnd;
        }
        long askedAt = System.nanoTime();
        lastEnd = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
        lastEndAskedAt = askedAt;
        return lastEnd;
    }

    @Override
    public void start() {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "access-registry");
        consumer = new KafkaConsumer<>(props);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        var adminProps = new Properties();
        adminProps.put("bootstrap.servers", bootstrapServers);
        admin = Admin.create(adminProps);
        running = true;
        poller = new Thread(this::poll, "access-registry");
        poller.setDaemon(true);
        poller.start();
        if (!awaitCaughtUp(CATCH_UP_ON_START)) {
            log.warn("Access registry not caught up after {}; keys may be refused until it is", CATCH_UP_ON_START);
        }
        log.info("Access registry loaded {} stores and {} keys", stores.size(), keysByHash.size());
    }

    private void poll() {
        try {
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() != null) {
                        read(r.value());
                    }
                }
                long next = consumer.position(partition);
                synchronized (progress) {
                    position = next;
                    progress.notifyAll();
                }
            }
        } catch (WakeupException e) {
            // stop() asked us to finish
        } finally {
            consumer.close();
        }
    }

    private void read(String value) {
        try {
            apply(json.readValue(value, AccessRecord.class));
        } catch (Exception e) {
            log.error("Skipping unreadable access record: {}", e.toString());
        }
    }

    @Override
    public void stop() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
        if (poller != null) {
            try {
                poller.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Start before the web server accepts requests, stop after it stopped. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 100;
    }
}
