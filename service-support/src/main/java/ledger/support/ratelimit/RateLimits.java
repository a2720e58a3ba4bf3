package ledger.support.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import ledger.support.auth.ApiPrincipal;
import ledger.support.web.ApiException;
import ledger.support.web.ErrorResponses;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Per-API-key token buckets (SPEC §4.1): one for writes, one for reads. Over the limit → 429
 * {@code rate_limited} with {@code Retry-After}. Buckets live in this instance's memory, so with N
 * instances behind a balancer a key gets up to N times the configured rate — set the limits per instance.
 */
public final class RateLimits extends OncePerRequestFilter {

    /**
     * @param perSecond sustained requests per second
     * @param burst     bucket capacity: how many may arrive at once
     */
    public record Limit(long perSecond, long burst) {
        Bucket newBucket() {
            return Bucket.builder().addLimit(Bandwidth.builder().capacity(burst)
                    .refillGreedy(perSecond, Duration.ofSeconds(1)).build()).build();
        }
    }

    private final Limit write;
    private final Limit read;
    private final ErrorResponses errors;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimits(Limit write, Limit read, ErrorResponses errors) {
        this.write = write;
        this.read = read;
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
        var bucket = buckets.computeIfAbsent((reading ? "r:" : "w:") + principal.keyId(),
                k -> (reading ? read : write).newBucket());
        var probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999));
            response.setHeader("Retry-After", Long.toString(seconds));
            errors.write(request, response, new ApiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limited",
                    "Too many " + (reading ? "read" : "write") + " requests for this API key; retry after "
                            + seconds + " s"));
            return;
        }
        chain.doFilter(request, response);
    }
}
