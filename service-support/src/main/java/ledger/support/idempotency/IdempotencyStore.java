package ledger.support.idempotency;

import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The {@code idempotency_key} table. Every call joins the request's transaction (see {@link Idempotency}):
 * a record is only ever committed together with the work it answers for (or, for a refusal that came from
 * running the request, alone).
 */
final class IdempotencyStore {

    static final String RETAINED_FOR = "24 hours";

    record Stored(String fingerprint, int status, String headers, byte[] body) {
    }

    private final JdbcTemplate jdbc;

    IdempotencyStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Takes the key for this transaction, or false when another request holds it. PostgreSQL releases the
     * lock at commit or rollback, also when the holder's connection dies with its instance. Keys of two
     * stores hashing alike would only make one wait for the other's request to end.
     */
    boolean lock(String scope, String key) {
        return Boolean.TRUE.equals(jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))",
                Boolean.class, scope + "\n" + key));
    }

    /** The kept answer for the key, if one younger than 24 hours exists. */
    Optional<Stored> find(String scope, String key) {
        return jdbc.query("""
                SELECT fingerprint, response_status, response_headers, response_body FROM idempotency_key
                WHERE scope = ? AND key = ? AND created_at >= now() - interval '""" + RETAINED_FOR + "'",
                (rs, i) -> new Stored(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getBytes(4)),
                scope, key).stream().findFirst();
    }

    /** Keeps the answer; an expired record of the key gives way, a live one (a concurrent duplicate's) wins. */
    void keep(String scope, String key, String fingerprint, int status, String headers, byte[] body) {
        jdbc.update("""
                INSERT INTO idempotency_key AS k (scope, key, fingerprint, response_status, response_headers, response_body)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint,
                    response_status = excluded.response_status, response_headers = excluded.response_headers,
                    response_body = excluded.response_body, created_at = now()
                WHERE k.created_at < now() - interval '""" + RETAINED_FOR + "'",
                scope, key, fingerprint, status, headers, body);
    }

    /** Housekeeping: replays are only promised for 24 hours. */
    int purgeExpired() {
        return jdbc.update("DELETE FROM idempotency_key WHERE created_at < now() - interval '" + RETAINED_FOR + "'");
    }
}
