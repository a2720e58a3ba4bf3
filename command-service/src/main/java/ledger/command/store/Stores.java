package ledger.command.store;

import com.fasterxml.jackson.databind.ObjectWriter;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import ledger.events.Ids;
import ledger.events.LedgerJson;
import ledger.events.StoreId;
import ledger.support.LedgerProperties;
import ledger.support.auth.AccessRecord;
import ledger.support.auth.AccessRegistry;
import ledger.support.auth.ApiKeys;
import ledger.support.auth.Scopes;
import ledger.support.web.ApiException;
import ledger.support.web.Text;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Stores and API keys: rows in this service's tables, each change published to the compacted access
 * topic once its transaction committed, so no service ever learns of a key the table does not hold.
 * A change whose publication fails after the commit (the broker away, or this instance dying in
 * between) is healed by republishing every record: at start, and again shortly after a failed send.
 * Every service's registry thus converges on this table.
 */
@Service
class Stores {

    private static final Logger log = LoggerFactory.getLogger(Stores.class);
    private static final ObjectWriter WRITER = LedgerJson.mapper().writerFor(AccessRecord.class);

    private final JdbcTemplate jdbc;
    private final KafkaTemplate<String, String> kafka;
    private final AccessRegistry registry;
    private final Clock clock;
    private final String topic;
    /** Set when a committed change could not be sent; the next retry republishes everything. */
    private volatile boolean republishPending;

    Stores(JdbcTemplate jdbc, KafkaTemplate<String, String> kafka, AccessRegistry registry, Clock clock,
           LedgerProperties properties) {
        this.jdbc = jdbc;
        this.kafka = kafka;
        this.registry = registry;
        this.clock = clock;
        this.topic = properties.topics().access();
    }

    record Issued(AccessRecord.ApiKey record, String key, boolean created) {
    }

    /** A store with the settings only this service uses. */
    record Settings(AccessRecord.Store store, String invoicePrefix) {
    }

    /** What invoice numbers start with (SPEC §4.2): {@code INV} → {@code INV-000001}. */
    static final String DEFAULT_INVOICE_PREFIX = "INV";
    private static final java.util.regex.Pattern INVOICE_PREFIX = java.util.regex.Pattern.compile("[A-Z0-9]{1,12}");

    @Transactional
    Settings create(String name, String invoicePrefix) {
        if (name != null && Text.codePoints(name) > 255) {
            throw ApiException.invalid("name", "name must be at most 255 characters");
        }
        String prefix = invoicePrefix == null ? DEFAULT_INVOICE_PREFIX : validPrefix(invoicePrefix);
        var secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        var store = new AccessRecord.Store(StoreId.generate(), name == null || name.isBlank() ? "Store" : name,
                "whsec_" + Base64.getEncoder().encodeToString(secret), now());
        jdbc.update("INSERT INTO store (id, name, callback_secret, created_at, invoice_prefix) VALUES (?, ?, ?, ?, ?)",
                store.storeId().value(), store.name(), store.callbackSecret(), Timestamp.from(store.createdAt()),
                prefix);
        publishAfterCommit(store);
        return new Settings(store, prefix);
    }

    @Transactional
    Settings update(String storeId, String invoicePrefix) {
        if (invoicePrefix == null) {
            throw ApiException.invalid("invoice_prefix", "invoice_prefix is required");
        }
        String prefix = validPrefix(invoicePrefix);
        return jdbc.query("UPDATE store SET invoice_prefix = ? WHERE id = ? RETURNING id, name, callback_secret,"
                        + " created_at, invoice_prefix", (rs, i) -> new Settings(new AccessRecord.Store(
                        new StoreId(rs.getString(1)), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant()),
                        rs.getString(5)), prefix, storeId).stream().findFirst()
                .orElseThrow(() -> ApiException.notFound("store"));
    }

    private static String validPrefix(String prefix) {
        if (!INVOICE_PREFIX.matcher(prefix).matches()) {
            throw ApiException.invalid("invoice_prefix", "invoice_prefix must be 1-12 capital letters or digits");
        }
        return prefix;
    }

    /** Issues a key; with {@code requestedKey}, registers exactly that key (idempotent for the same store). */
    @Transactional
    Issued issueKey(String storeId, List<String> scopes, String mode, String requestedKey) {
        requireStore(storeId);
        mode = mode == null ? "test" : mode;
        if (!mode.equals("test") && !mode.equals("live")) {
            throw ApiException.invalid("mode", "mode must be test or live");
        }
        Set<String> granted = new LinkedHashSet<>(scopes == null ? Scopes.ALL : scopes);
        for (String scope : granted) {
            if (scope == null || !Scopes.ALL.contains(scope)) { // Set.of(…).contains(null) throws
                throw ApiException.invalid("scopes", "unknown scope " + scope);
            }
        }
        String key = requestedKey == null ? ApiKeys.generate(mode) : requestedKey;
        if (!ApiKeys.isWellFormed(key) || !ApiKeys.modeOf(key).equals(mode)) {
            throw ApiException.invalid("key", "key must look like sk_" + mode + "_ followed by 16-128 letters or digits");
        }
        String hash = ApiKeys.hash(key);
        Optional<AccessRecord.ApiKey> existing = findKey("key_hash = ?", hash);
        if (existing.isPresent()) {
            if (!existing.get().storeId().value().equals(storeId)) {
                throw new ApiException(HttpStatus.CONFLICT, "key_in_use", "That key belongs to another store");
            }
            if (existing.get().revokedAt() != null) {
                // Registering it again must not look like success: the key stays revoked for good.
                throw new ApiException(HttpStatus.CONFLICT, "api_key_revoked",
                        "That key was revoked; issue a new one", "key");
            }
            return new Issued(existing.get(), key, false);
        }
        var record = new AccessRecord.ApiKey(Ids.random("key_"), new StoreId(storeId), hash, Set.copyOf(granted),
                mode, now(), null);
        jdbc.update(con -> {
            var ps = con.prepareStatement(
                    "INSERT INTO api_key (id, store_id, key_hash, scopes, mode, created_at) VALUES (?, ?, ?, ?, ?, ?)");
            ps.setString(1, record.keyId());
            ps.setString(2, storeId);
            ps.setString(3, hash);
            ps.setArray(4, con.createArrayOf("text", granted.toArray()));
            ps.setString(5, record.mode());
            ps.setTimestamp(6, Timestamp.from(record.createdAt()));
            return ps;
        });
        publishAfterCommit(record);
        log.info("Issued API key {} ({}) for store {}", record.keyId(), ApiKeys.redact(key), storeId);
        return new Issued(record, key, true);
    }

    @Transactional
    AccessRecord.ApiKey revokeKey(String storeId, String keyId) {
        var key = findKey("id = ? AND store_id = ?", keyId, storeId)
                .orElseThrow(() -> ApiException.notFound("api key"));
        if (key.revokedAt() != null) {
            return key;
        }
        var revoked = new AccessRecord.ApiKey(key.keyId(), key.storeId(), key.keyHash(), key.scopes(), key.mode(),
                key.createdAt(), now());
        jdbc.update("UPDATE api_key SET revoked_at = ? WHERE id = ?", Timestamp.from(revoked.revokedAt()), keyId);
        publishAfterCommit(revoked);
        return revoked;
    }

    /**
     * Re-publishes every store and key at start: compaction keeps only the latest record per key, so
     * this is harmless; it heals a change committed just before a crash and a broker that lost the topic.
     * A broker that is not there yet leaves it to {@link #retryFailedPublication}.
     */
    @EventListener(ApplicationReadyEvent.class)
    void republishAtStart() {
        try {
            republishAll();
        } catch (RuntimeException e) {
            republishPending = true;
            log.warn("Stores and API keys not republished at start, retrying: {}", e.toString());
        }
    }

    /**
     * Revoked keys go last, read again after the rest: a key revoked while its active row was being
     * republished then ends the topic revoked, never active again (revocation is final).
     */
    void republishAll() {
        jdbc.query("SELECT id, name, callback_secret, created_at FROM store", rs -> {
            publish(new AccessRecord.Store(new StoreId(rs.getString(1)), rs.getString(2), rs.getString(3),
                    rs.getTimestamp(4).toInstant()));
        });
        jdbc.query("SELECT * FROM api_key WHERE revoked_at IS NULL", (ResultSet rs) -> {
            publish(key(rs));
        });
        jdbc.query("SELECT * FROM api_key WHERE revoked_at IS NOT NULL", (ResultSet rs) -> {
            publish(key(rs));
        });
    }

    @Scheduled(fixedDelay = 10, timeUnit = TimeUnit.SECONDS)
    void retryFailedPublication() {
        if (!republishPending) {
            return;
        }
        republishPending = false;
        try {
            republishAll();
            log.info("Republished every store and API key after an earlier failed publication");
        } catch (RuntimeException e) {
            republishPending = true;
            log.warn("Stores and API keys still cannot be published: {}", e.toString());
        }
    }

    private void requireStore(String storeId) {
        Integer n = jdbc.queryForObject("SELECT count(*) FROM store WHERE id = ?", Integer.class, storeId);
        if (n == null || n == 0) {
            throw ApiException.notFound("store");
        }
    }

    private Optional<AccessRecord.ApiKey> findKey(String where, Object... args) {
        return jdbc.query("SELECT * FROM api_key WHERE " + where, (rs, i) -> key(rs), args).stream().findFirst();
    }

    private static AccessRecord.ApiKey key(ResultSet rs) throws SQLException {
        Array scopes = rs.getArray("scopes");
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new AccessRecord.ApiKey(rs.getString("id"), new StoreId(rs.getString("store_id")),
                rs.getString("key_hash"), Set.of((String[]) scopes.getArray()), rs.getString("mode"),
                rs.getTimestamp("created_at").toInstant(), revoked == null ? null : revoked.toInstant());
    }

    /**
     * The row is the truth: once it committed, this instance knows the record at once, and the other
     * services as soon as the broker has it. The answer waits for the broker's acknowledgement, so a
     * key is usable everywhere when its creation is answered, unless the broker is away — then the
     * change stays committed and the retry announces it.
     */
    private void publishAfterCommit(AccessRecord record) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                registry.apply(record);
                try {
                    publish(record);
                } catch (RuntimeException e) {
                    republishPending = true;
                    log.warn("Committed {} but could not publish it yet; retrying: {}", record.recordKey(),
                            e.toString());
                }
            }
        });
    }

    private void publish(AccessRecord record) {
        try {
            kafka.send(topic, record.recordKey(), WRITER.writeValueAsString(record)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("The broker did not acknowledge " + record.recordKey(), e);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
