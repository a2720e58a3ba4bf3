package ledger.support.idempotency;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import ledger.support.auth.ApiPrincipal;
import ledger.support.web.ApiException;
import ledger.support.web.BodySizeLimit;
import ledger.support.web.ErrorResponses;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * {@code Idempotency-Key} on every POST (SPEC §4.1): the first request with a key runs and its
 * response (2xx or 4xx) is kept for 24 h; the same key with the same request replays that response
 * with {@code Idempotent-Replayed: true}; with a different request → 409 {@code idempotency_key_reused};
 * while the first is still running → 409 {@code idempotency_request_in_progress}. A 5xx or a crash
 * keeps nothing, so the client's retry runs the request again.
 */
public final class Idempotency extends OncePerRequestFilter {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED = "Idempotent-Replayed";
    /** Response headers a replay must reproduce. */
    private static final List<String> KEPT_HEADERS = List.of("Content-Type", "Location", "Ledger-Version");

    private final IdempotencyStore store;
    private final ErrorResponses errors;

    Idempotency(IdempotencyStore store, ErrorResponses errors) {
        this.store = store;
        this.errors = errors;
    }

    public static Idempotency create(JdbcTemplate jdbc, ErrorResponses errors) {
        return new Idempotency(new IdempotencyStore(jdbc), errors);
    }

    /** Deletes records past their 24 hours; a scheduler calls this hourly. */
    public int purgeExpired() {
        return store.purgeExpired();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || request.getHeader(HEADER) == null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = request.getHeader(HEADER);
        byte[] body;
        try {
            if (key.isEmpty() || key.length() > 255) {
                throw ApiException.invalid(HEADER, "Idempotency-Key must be 1 to 255 characters");
            }
            body = request.getInputStream().readAllBytes();
        } catch (ApiException e) {
            errors.write(request, response, e);
            return;
        } catch (IOException e) {
            errors.write(request, response, BodySizeLimit.readFailure(e));
            return;
        }
        var principal = (ApiPrincipal) request.getAttribute(ApiPrincipal.class.getName());
        String scope = principal == null ? "admin" : principal.storeId().value();
        String fingerprint = fingerprint(request, body);

        if (!store.claim(scope, key, fingerprint)) {
            answerFromStore(request, response, scope, key, fingerprint);
            return;
        }
        var recorded = new ContentCachingResponseWrapper(response);
        boolean kept = false;
        try {
            chain.doFilter(new CachedBody(request, body), recorded);
            if (recorded.getStatus() < 500) {
                store.complete(scope, key, recorded.getStatus(), headers(recorded), recorded.getContentAsByteArray());
                kept = true;
            }
        } finally {
            if (!kept) {
                store.release(scope, key);
            }
            recorded.copyBodyToResponse();
        }
    }

    private void answerFromStore(HttpServletRequest request, HttpServletResponse response, String scope, String key,
                                 String fingerprint) throws IOException {
        var stored = store.find(scope, key).orElse(null);
        if (stored == null) {
            // The first request failed and released the key between our claim and this read: let the client retry.
            errors.write(request, response, inProgress());
        } else if (!stored.fingerprint().equals(fingerprint)) {
            errors.write(request, response, new ApiException(HttpStatus.CONFLICT, "idempotency_key_reused",
                    "This Idempotency-Key was used with a different request", HEADER));
        } else if (!"done".equals(stored.state())) {
            errors.write(request, response, inProgress());
        } else {
            response.setStatus(stored.status());
            for (String line : stored.headers().split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    response.setHeader(line.substring(0, colon), line.substring(colon + 1));
                }
            }
            response.setHeader(REPLAYED, "true");
            response.getOutputStream().write(stored.body());
        }
    }

    private static ApiException inProgress() {
        return new ApiException(HttpStatus.CONFLICT, "idempotency_request_in_progress",
                "A request with this Idempotency-Key is still being processed; retry shortly", HEADER);
    }

    private static String headers(HttpServletResponse response) {
        var lines = new StringBuilder();
        for (String name : KEPT_HEADERS) {
            String value = name.equals("Content-Type") ? response.getContentType() : response.getHeader(name);
            if (value != null) {
                lines.append(name).append(':').append(value).append('\n');
            }
        }
        return lines.toString();
    }

    static String fingerprint(HttpServletRequest request, byte[] body) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            String target = request.getMethod() + " " + request.getRequestURI()
                    + (request.getQueryString() == null ? "" : "?" + request.getQueryString()) + "\n";
            digest.update(target.getBytes(StandardCharsets.UTF_8));
            digest.update(body);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The request with its body already read, so the handler can read it again. */
    private static final class CachedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        CachedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            var in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("blocking only");
                }
            };
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
