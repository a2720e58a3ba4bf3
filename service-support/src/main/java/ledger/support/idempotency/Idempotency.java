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
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * {@code Idempotency-Key} on every POST (SPEC §4.1): the first request with a key runs and its
 * response (2xx or 4xx) is kept for 24 h; the same key with the same request replays that response
 * with {@code Idempotent-Replayed: true}; with a different request → 409 {@code idempotency_key_reused};
 * while the first is still running → 409 {@code idempotency_request_in_progress}.
 *
 * <p>The request runs in one database transaction with its record: a 2xx commits the handler's writes
 * and the kept response together, and the client sees the response only after that commit. A crash
 * mid-request therefore leaves nothing behind — neither work nor a claim on the key — and the
 * client's retry simply runs again. "Still running" is a transaction-scoped advisory lock on the key,
 * which PostgreSQL releases with the transaction, also when the instance dies. A 4xx rolls back
 * whatever the handler touched (a refusal writes nothing) and keeps the answer in a transaction of its
 * own; a 5xx keeps nothing.
 */
public final class Idempotency extends OncePerRequestFilter {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED = "Idempotent-Replayed";
    /** Response headers a replay must reproduce. */
    private static final List<String> KEPT_HEADERS = List.of("Content-Type", "Location", "Ledger-Version");

    private final IdempotencyStore store;
    private final TransactionTemplate transactions;
    private final ErrorResponses errors;

    Idempotency(IdempotencyStore store, TransactionTemplate transactions, ErrorResponses errors) {
        this.store = store;
        this.transactions = transactions;
        this.errors = errors;
    }

    public static Idempotency create(JdbcTemplate jdbc, PlatformTransactionManager transactionManager,
                                     ErrorResponses errors) {
        return new Idempotency(new IdempotencyStore(jdbc), new TransactionTemplate(transactionManager), errors);
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

        var recorded = new ContentCachingResponseWrapper(response);
        Outcome outcome;
        try {
            outcome = transactions.execute(tx -> {
                if (!store.lock(scope, key)) {
                    return Outcome.IN_PROGRESS;
                }
                var stored = store.find(scope, key);
                if (stored.isPresent()) {
                    answerFromStore(request, recorded, stored.get(), fingerprint);
                    return Outcome.ANSWERED;
                }
                try {
                    chain.doFilter(new CachedBody(request, body), recorded);
                } catch (IOException | ServletException e) {
                    throw new FilterFailure(e);
                }
                int status = recorded.getStatus();
                if (status >= 400 || tx.isRollbackOnly()) {
                    tx.setRollbackOnly();
                    return status < 500 ? Outcome.KEEP_APART : Outcome.ANSWERED;
                }
                // A statement that failed inside the handler (say, an append that lost a race and was retried
                // on another thread) leaves the transaction unusable: the answer is then kept apart.
                try {
                    store.keep(scope, key, fingerprint, status, headers(recorded), recorded.getContentAsByteArray());
                } catch (DataAccessException e) {
                    tx.setRollbackOnly();
                    return Outcome.KEEP_APART;
                }
                return Outcome.ANSWERED;
            });
        } catch (FilterFailure e) {
            if (e.getCause() instanceof ServletException servlet) {
                throw servlet;
            }
            throw (IOException) e.getCause();
        } catch (TransactionException e) {
            if (recorded.getStatus() < 500) {
                throw e;
            }
            // The handler already answered with a 5xx because the database went away; the rollback failed
            // for the same reason, and PostgreSQL aborts the transaction of a lost connection anyway.
            outcome = Outcome.ANSWERED;
        }
        if (outcome == Outcome.IN_PROGRESS) {
            errors.write(request, response, inProgress());
            return;
        }
        if (outcome == Outcome.KEEP_APART) {
            // A refusal, or work that committed elsewhere (a command retried on another thread): its answer
            // is kept on its own. A concurrent duplicate that ran meanwhile keeps its own answer instead.
            transactions.executeWithoutResult(tx -> store.keep(scope, key, fingerprint, recorded.getStatus(),
                    headers(recorded), recorded.getContentAsByteArray()));
        }
        recorded.copyBodyToResponse();
    }

    /** What the request's transaction ended with, for what follows it. */
    private enum Outcome { IN_PROGRESS, ANSWERED, KEEP_APART }

    /** Carries the chain's checked exceptions out of the transaction callback, which rolls back on it. */
    private static final class FilterFailure extends RuntimeException {
        FilterFailure(Exception cause) {
            super(cause);
        }
    }

    private void answerFromStore(HttpServletRequest request, HttpServletResponse response,
                                 IdempotencyStore.Stored stored, String fingerprint) {
        try {
            if (!stored.fingerprint().equals(fingerprint)) {
                errors.write(request, response, new ApiException(HttpStatus.CONFLICT, "idempotency_key_reused",
                        "This Idempotency-Key was used with a different request", HEADER));
                return;
            }
            response.setStatus(stored.status());
            for (String line : stored.headers().split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    response.setHeader(line.substring(0, colon), line.substring(colon + 1));
                }
            }
            response.setHeader(REPLAYED, "true");
            response.getOutputStream().write(stored.body());
        } catch (IOException e) {
            throw new FilterFailure(e);
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
