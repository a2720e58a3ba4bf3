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
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Per-API-key token buckets (SPEC §4.1): one for writes, one for reads. Over the limit → 429
 * {@code rate_limited} with {@code Retry-After}. The buckets are rows of this service's schema
 * ({@code rate_limit_take} in db/support), so every instance of the service draws from the same bucket and a
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

    private final Limit write;
    private final Limit read;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final ErrorResponses errors;

    public RateLimits(Limit write, Limit read, JdbcTemplate jdbc, Clock clock, ErrorResponses errors) {
        this.write = write;
        this.read = read;
        this.jdbc = jdbc;
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
        Double wait;
        try {
            wait = jdbc.queryForObject("SELECT rate_limit_take(?, ?, ?, ?)", Double.class,
                    (reading ? "r:" : "w:") + principal.keyId(), limit.burst(), limit.perSecond(),
                    OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
        }
        // PostgreSQL unreachable: the request then meets the same outage and answers its 503; refusing it here
        // would tell the merchant to slow down instead of to retry.
        catch (DataAccessException e) {
            log.debug("rate limit not checked for key {}: {}", principal.keyId(), e.getMessage());
            chain.doFilter(request, response);
            return;
        }
        if (wait != null && wait > 0) {
            long seconds = Math.max(1, (long) Math.ceil(wait));
            response.setHeader("Retry-After", Long.toString(seconds));
            errors.write(request, response, new ApiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limited",
                    "Too many " + (reading ? "read" : "write") + " requests for this API key; retry after "
                            + seconds + " s"));
            return;
        }
        chain.doFilter(request, response);
    }
}
