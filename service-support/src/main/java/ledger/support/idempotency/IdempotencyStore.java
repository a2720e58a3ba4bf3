package ledger.support.idempotency;

import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The {@code idempotency_key} table. Each call is its own short transaction: the claim must be visible
 * to a concurrent duplicate before the first request's work even starts.
 */
final class IdempotencyStore {

    /** A first request in flight longer than this is taken to have died with its instance. */
    static final String ABANDONED_AFTER = "5 minutes";
    static final String RETAINED_FOR = "24 hours";

    record Stored(String fingerprint, String state, Integer status, String headers, byte[] body) {
    }

    private final JdbcTemplate jdbc;

    IdempotencyStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** True if this request now owns the key; otherwise {@link #find} tells what holds it. */
    boolean claim(String scope, String key, String fingerprint) {
        jdbc.update("DELETE FROM idempotency_key WHERE scope = ? AND key = ? AND (created_at < now() - interval '"
                + RETAINED_FOR + "' OR (state = 'in_flight' AND created_at < now() - interval '" + ABANDONED_AFTER
                + "'))", scope, key);
        return jdbc.update("""
                INSERT INTO idempotency_key (scope, key, fingerprint, state) VALUES (?, ?, ?, 'in_flight')
                ON CONFLICT DO NOTHING""", scope, key, fingerprint) == 1;
    }

    Optional<Stored> find(String scope, String key) {
        return jdbc.query("""
                SELECT fingerprint, state, response_status, response_headers, response_body
                FROM idempotency_key WHERE scope = ? AND key = ?""",
                (rs, i) -> new Stored(rs.getString(1), rs.getString(2), (Integer) rs.getObject(3), rs.getString(4),
                        rs.getBytes(5)), scope, key).stream().findFirst();
    }

    void complete(String scope, String key, int status, String headers, byte[] body) {
        jdbc.update("""
                UPDATE idempotency_key SET state = 'done', response_status = ?, response_headers = ?, response_body = ?
                WHERE scope = ? AND key = ?""", status, headers, body, scope, key);
    }

    /** Forget a claim whose request failed on our side, so the client's retry runs again. */
    void release(String scope, String key) {
        jdbc.update("DELETE FROM idempotency_key WHERE scope = ? AND key = ? AND state = 'in_flight'", scope, key);
    }

    /** Housekeeping: replays are only promised for 24 hours. */
    int purgeExpired() {
        return jdbc.update("DELETE FROM idempotency_key WHERE created_at < now() - interval '" + RETAINED_FOR + "'");
    }
}
