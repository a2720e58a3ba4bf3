package ledger.support.ratelimit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import ledger.support.auth.ApiPrincipal;
import ledger.support.web.ApiException;
import ledger.support.web.ErrorResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Per-API-key token buckets (SPEC §4.1): one for writes, one for reads. Over the limit → 429
 * {@code rate_limited} with {@code Retry-After}. The buckets are rows of this service's schema
 * ({@code rate_limit_bucket} in db/support), so every instance of the service draws from the same bucket and a
 * key gets the configured rate however many instances run (SPEC §9).
 */
public final class RateLimits extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(RateLimits.class);

    /**
     * @param perSecond sustained requests per second
     * @param burst     bucket capacity: how many may arrive at once
     */
    public record Limit(long perSecond, long burst) {
    }

    /** The bucket's level once refilled for the time since its last use, capped at the burst. */
    private static final String LEVEL =
            "LEAST(:capacity, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM :now - b.refilled_at)) * :perSecond)";

    /**
     * A request that read its clock before another but reached the row after it refills nothing and keeps the
     * later date, so concurrent requests never count the same time twice. A clock far behind the bucket's (a
     * test's, a broken one's) re-dates it instead: it must not starve the key until the others catch up. Every
     * SET expression reads the row as it was, so the level is the same in each.
     */
    static final String TAKE = """
            UPDATE rate_limit_bucket b
            SET tokens = %1$s - CASE WHEN %1$s >= 1 THEN 1 ELSE 0 END,
                taken = %1$s >= 1,
                refilled_at = CASE WHEN :now < b.refilled_at - INTERVAL '5 seconds' THEN :now
                                   ELSE GREATEST(b.refilled_at, :now) END
            WHERE b.bucket = :bucket
            RETURNING b.taken, b.tokens""".formatted(LEVEL);

    private static final String FILL = """
            INSERT INTO rate_limit_bucket (bucket, tokens, refilled_at, taken)
            VALUES (:bucket, :capacity - 1, :now, true)
            ON CONFLICT (bucket) DO NOTHING""";

    private final Limit write;
    private final Limit read;
    private final NamedParameterJdbcTemplate sql;
    private final Clock clock;
    private final ErrorResponses errors;

    public RateLimits(Limit write, Limit read, JdbcTemplate jdbc, Clock clock, ErrorResponses errors) {
        this.write = write;
        this.read = read;
        this.sql = new NamedParameterJdbcTemplate(jdbc);
        this.clock = clock;
        this.errors = errors;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getAttribute(ApiPrincipal.class.getName()) == null; // admin, health, metrics
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        var principal = (ApiPrincipal) request.getAttribute(ApiPrincipal.class.getName());
        boolean reading = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
        Limit limit = reading ? read : write;
        double wait;
        try {
            wait = take((reading ? "r:" : "w:") + principal.keyId(), limit);
        }
        // PostgreSQL unreachable: the request then meets the same outage and answers its 503; refusing it here
        // would tell the merchant to slow down instead of to retry.
        catch (DataAccessException e) {
            log.debug("rate limit not checked for key {}: {}", principal.keyId(), e.getMessage());
            chain.doFilter(request, response);
            return;
        }
        if (wait > 0) {
            long seconds = Math.max(1, (long) Math.ceil(wait));
            response.setHeader("Retry-After", Long.toString(seconds));
            errors.write(request, response, new ApiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limited",
                    "Too many " + (reading ? "read" : "write") + " requests for this API key; retry after "
                            + seconds + " s"));
            return;
        }
        chain.doFilter(request, response);
    }

    /**
     * Takes one token from the bucket, refilled first for the time since its last use: 0 when taken, else the
     * seconds until a token is there. One statement, atomic under the row lock, whichever instance sends it; a
     * key's first request (or its first after a crash emptied the unlogged table) inserts the bucket full.
     */
    private double take(String bucket, Limit limit) {
        var params = new MapSqlParameterSource("bucket", bucket)
                .addValue("capacity", limit.burst())
                .addValue("perSecond", limit.perSecond())
                .addValue("now", OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
        RowMapper<Double> wait = (rs, i) -> rs.getBoolean("taken") ? 0
                : (1 - rs.getDouble("tokens")) / limit.perSecond();
        var left = sql.query(TAKE, params, wait);
        if (left.isEmpty() && sql.update(FILL, params) == 0) {
            left = sql.query(TAKE, params, wait); // a racing request inserted the bucket first
        }
        return left.isEmpty() ? 0 : left.get(0);
    }
}
