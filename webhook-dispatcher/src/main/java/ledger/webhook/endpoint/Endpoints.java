package ledger.webhook.endpoint;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import ledger.events.StoreId;
import ledger.support.web.ApiException;
import ledger.support.web.ApiList;
import ledger.support.web.ListParams;
import ledger.webhook.KeysetPages;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/** The {@code webhook_endpoint} table. Deleted endpoints stay (their delivery history refers to them) but are invisible. */
@Repository
public class Endpoints {

    /**
     * An endpoint row and its previous secrets, as two arrays in the same order (one statement, so one
     * snapshot), for {@code SELECT … FROM webhook_endpoint} without an alias.
     */
    private static final String COLUMNS = """
            id, store_id, url, enabled_events, description, livemode, disabled, disabled_reason, secret,
            ARRAY(SELECT s.secret FROM webhook_endpoint_secret s WHERE s.endpoint_id = webhook_endpoint.id
                  ORDER BY s.expires_at, s.secret) AS previous_secrets,
            ARRAY(SELECT s.expires_at FROM webhook_endpoint_secret s WHERE s.endpoint_id = webhook_endpoint.id
                  ORDER BY s.expires_at, s.secret) AS previous_secret_expiries,
            failing_since, created_at, updated_at""";
    private static final RowMapper<Endpoint> ROW = Endpoints::read;
    /** The endpoints one ledger (store and mode) sees; parameters: store, livemode. */
    private static final String OWNED = "store_id = ? AND livemode = ? AND deleted_at IS NULL";

    private final JdbcTemplate jdbc;

    Endpoints(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Endpoint e) {
        jdbc.update("""
                INSERT INTO webhook_endpoint (id, store_id, url, enabled_events, description, livemode, disabled,
                                              disabled_reason, secret, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                e.id(), e.storeId().value(), e.url(), e.enabledEvents().toArray(String[]::new), e.description(),
                e.livemode(), e.disabled(), e.disabledReason(), e.secret(), ts(e.createdAt()), ts(e.updatedAt()));
    }

    /**
     * The endpoint of the store's ledger in that mode (§3: test and live are two ledgers), unless deleted.
     * Another store's or mode's endpoint is as absent as a missing one.
     */
    public Optional<Endpoint> find(StoreId store, boolean livemode, String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM webhook_endpoint WHERE id = ? AND " + OWNED,
                ROW, id, store.value(), livemode).stream().findFirst();
    }

    /** {@link #find}, locking the endpoint until the transaction ends: two rotations must not retire one secret. */
    Optional<Endpoint> lock(StoreId store, boolean livemode, String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM webhook_endpoint WHERE id = ? AND " + OWNED + " FOR UPDATE",
                ROW, id, store.value(), livemode).stream().findFirst();
    }

    /** The endpoints that are still there (not deleted), whatever their store, by id — for the delivery worker. */
    public Map<String, Endpoint> live(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<String, Endpoint> live = new HashMap<>();
        jdbc.query("SELECT " + COLUMNS + " FROM webhook_endpoint WHERE id = ANY (?) AND deleted_at IS NULL", rs -> {
            Endpoint e = read(rs, 0);
            live.put(e.id(), e);
        }, (Object) ids.toArray(String[]::new));
        return live;
    }

    int count(StoreId store, boolean livemode) {
        return jdbc.queryForObject("SELECT count(*) FROM webhook_endpoint WHERE " + OWNED, Integer.class,
                store.value(), livemode);
    }

    ApiList<Endpoint> page(StoreId store, boolean livemode, ListParams params) {
        return KeysetPages.fetch(jdbc, "SELECT " + COLUMNS + " FROM webhook_endpoint WHERE " + OWNED,
                List.of(store.value(), livemode), cursor(store, livemode, params.startingAfter(), "starting_after"),
                cursor(store, livemode, params.endingBefore(), "ending_before"), params, ROW);
    }

    private Long cursor(StoreId store, boolean livemode, String id, String param) {
        if (id == null) {
            return null;
        }
        return jdbc.query("SELECT seq FROM webhook_endpoint WHERE id = ? AND " + OWNED,
                        (rs, i) -> rs.getLong(1), id, store.value(), livemode).stream().findFirst()
                .orElseThrow(() -> ApiException.invalid(param, "No such webhook endpoint: " + id));
    }

    /** Stores what the merchant may change; the secrets change only through {@link #rotate}. */
    void update(Endpoint e) {
        jdbc.update("""
                UPDATE webhook_endpoint SET url = ?, enabled_events = ?, description = ?, disabled = ?,
                    disabled_reason = ?, failing_since = ?, updated_at = ?
                WHERE id = ? AND deleted_at IS NULL""",
                e.url(), e.enabledEvents().toArray(String[]::new), e.description(), e.disabled(), e.disabledReason(),
                ts(e.failingSince()), ts(e.updatedAt()), e.id());
    }

    /** Stores an endpoint's secrets after a rotation ({@link Endpoint#rotated}); the caller holds its {@link #lock}. */
    void rotate(Endpoint e) {
        jdbc.update("UPDATE webhook_endpoint SET secret = ?, updated_at = ? WHERE id = ?", e.secret(),
                ts(e.updatedAt()), e.id());
        jdbc.update("DELETE FROM webhook_endpoint_secret WHERE endpoint_id = ?", e.id());
        jdbc.batchUpdate("INSERT INTO webhook_endpoint_secret (endpoint_id, secret, expires_at) VALUES (?, ?, ?)",
                e.previousSecrets().stream().map(p -> new Object[] {e.id(), p.secret(), ts(p.expiresAt())}).toList());
    }

    void delete(String id, Instant now) {
        jdbc.update("UPDATE webhook_endpoint SET deleted_at = ?, updated_at = ? WHERE id = ?", ts(now), ts(now), id);
    }

    /** The store's endpoints that want events of {@code type} in this mode, disabled ones included. */
    public List<Endpoint> subscribers(StoreId store, String type, boolean livemode) {
        return of(Set.of(store)).getOrDefault(store, List.of()).stream()
                .filter(e -> e.livemode() == livemode && e.wants(type)).toList();
    }

    /** The stores' endpoints (not deleted; both modes, disabled ones included) per store, in creation order. */
    public Map<StoreId, List<Endpoint>> of(Collection<StoreId> stores) {
        Map<StoreId, List<Endpoint>> byStore = new HashMap<>();
        jdbc.query("SELECT " + COLUMNS + " FROM webhook_endpoint WHERE store_id = ANY (?) AND deleted_at IS NULL"
                + " ORDER BY seq", rs -> {
                    Endpoint e = read(rs, 0);
                    byStore.computeIfAbsent(e.storeId(), s -> new ArrayList<>()).add(e);
                }, (Object) stores.stream().map(StoreId::value).toArray(String[]::new));
        return byStore;
    }

    /** A 2xx ends a failure streak. */
    public void recordSuccess(Collection<String> ids) {
        if (!ids.isEmpty()) {
            jdbc.update("UPDATE webhook_endpoint SET failing_since = NULL WHERE id = ANY (?) AND failing_since IS NOT NULL",
                    (Object) ids.toArray(String[]::new));
        }
    }

    /**
     * A failed attempt: starts the failure streak if there was none. Returns when the streak started,
     * so the caller can decide whether it has lasted too long.
     */
    public Instant recordFailure(String id, Instant at) {
        return jdbc.queryForObject("""
                UPDATE webhook_endpoint SET failing_since = COALESCE(failing_since, ?) WHERE id = ?
                RETURNING failing_since""", (rs, i) -> rs.getTimestamp(1).toInstant(), ts(at), id);
    }

    /** Stops deliveries to the endpoint until the merchant enables it again. */
    public void disable(String id, String reason, Instant now) {
        jdbc.update("""
                UPDATE webhook_endpoint SET disabled = true, disabled_reason = ?, updated_at = ?
                WHERE id = ? AND NOT disabled""", reason, ts(now), id);
    }

    private static Endpoint read(ResultSet rs, int row) throws SQLException {
        return new Endpoint(rs.getString("id"), new StoreId(rs.getString("store_id")), rs.getString("url"),
                strings(rs.getArray("enabled_events")), rs.getString("description"), rs.getBoolean("livemode"),
                rs.getBoolean("disabled"), rs.getString("disabled_reason"), rs.getString("secret"),
                previousSecrets(rs), instant(rs.getTimestamp("failing_since")), instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("updated_at")));
    }

    private static List<Endpoint.PreviousSecret> previousSecrets(ResultSet rs) throws SQLException {
        List<String> secrets = strings(rs.getArray("previous_secrets"));
        var expiries = (Timestamp[]) rs.getArray("previous_secret_expiries").getArray();
        var previous = new ArrayList<Endpoint.PreviousSecret>(secrets.size());
        for (int i = 0; i < secrets.size(); i++) {
            previous.add(new Endpoint.PreviousSecret(secrets.get(i), expiries[i].toInstant()));
        }
        return previous;
    }

    private static List<String> strings(Array array) throws SQLException {
        return List.copyOf(Arrays.asList((String[]) array.getArray()));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
