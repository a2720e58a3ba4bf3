package ledger.support.idempotency;

import java.sql.ResultSet;
import java.sql.SQLException;
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

    /** What {@link #take} found: whether the key is this transaction's now, and its kept answer if so. */
    record Taken(boolean taken, Optional<Stored> kept) {
    }

    private final JdbcTemplate jdbc;

    IdempotencyStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The key for this transaction, or {@code taken} false when another request holds it; with the key, its kept
     * answer if one younger than 24 hours exists. One round trip ({@code idempotency_take} in db/support): the key is a
     * transaction-scoped advisory lock, which PostgreSQL releases at commit or rollback, also when the holder's
     * connection dies with its instance, and the answer is read after the lock is granted. Keys of two stores hashing
     * alike would only make one wait for the other's request to end.
     */
    Taken take(String scope, String key) {
        return jdbc.queryForObject("SELECT * FROM idempotency_take(?, ?, ?::interval)", (rs, i) -> new Taken(
                rs.getBoolean(1), rs.getString(2) == null ? Optional.empty() : Optional.of(stored(rs, 2))),
                scope, key, RETAINED_FOR);
    }

    /** The kept answer for the key, if one younger than 24 hours exists. */
    Optional<Stored> find(String scope, String key) {
        return jdbc.query("""
                SELECT fingerprint, response_status, response_headers, response_body FROM idempotency_key
                WHERE scope = ? AND key = ? AND created_at >= now() - interval '""" + RETAINED_FOR + "'",
                (rs, i) -> stored(rs, 1), scope, key).stream().findFirst();
    }

    /** A kept answer from its four columns, fingerprint first, starting at column {@code first}. */
    private static Stored stored(ResultSet rs, int first) throws SQLException {
        return new Stored(rs.getString(first), rs.getInt(first + 1), rs.getString(first + 2), rs.getBytes(first + 3));
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
