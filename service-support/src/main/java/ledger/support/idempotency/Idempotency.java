package ledger.support.idempotency;

import com.zaxxer.hikari.HikariDataSource;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import ledger.support.auth.ApiPrincipal;
import ledger.support.auth.Authentication;
import ledger.support.web.ApiException;
import ledger.support.web.ApiExceptionHandler;
import ledger.support.web.BodySizeLimit;
import ledger.support.web.ErrorResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * {@code Idempotency-Key} on every POST (SPEC §4.1): the first request with a key runs and its answer is
 * kept for 24 h; the same key with the same request replays that answer with
 * {@code Idempotent-Replayed: true}; with a different request → 409 {@code idempotency_key_reused}; while
 * the first is still running → 409 {@code idempotency_request_in_progress}. "The same request" compares
 * the parsed request, not its bytes ({@link RequestFingerprint}). Keys belong to a store <em>and mode</em>
 * (test and live are two ledgers), or to the admin API.
 *
 * <p><b>Which answers are kept.</b> A success, and a refusal that came from running the request (409
 * {@code invoice_not_payable}, say), are kept. A refusal that says the request was not run — 400, 401,
 * 403, 404, 405, 406, 413, 415, 422, 429 — is not kept, nor is a 5xx: the key stays free, so the merchant
 * can correct the request and send it again with the same key (Stripe's rule). Neither is a 409
 * {@code concurrent_modification}, which asks for exactly that retry. Whatever a refused
 * request touched is rolled back, so releasing its key can never let work happen twice.
 *
 * <p><b>One transaction.</b> The request runs in one database transaction with its key's record: a 2xx
 * commits the handler's writes and the kept answer together, and the client sees the answer only after
 * that commit. A crash mid-request therefore leaves nothing behind — neither work nor a claim on the key
 * — and the client's retry simply runs again. Code that must act only on committed work registers for
 * the transaction's commit (the dispatcher's {@code DeliveryWorker.wake}); code whose own commit must not
 * wait for the response opens its own (the query service's rebuild). "Still running" is a
 * transaction-scoped advisory lock on the key, which PostgreSQL releases with the transaction, also when
 * the instance dies. An answer can hold a value the database gives only at that commit (an invoice's number):
 * its handler says so ({@link #answerCompletedAtCommit}), and the client is sent the answer as kept.
 */
public final class Idempotency extends OncePerRequestFilter {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED = "Idempotent-Replayed";
    /** Response headers a replay must reproduce. */
    private static final List<String> KEPT_HEADERS = List.of("Content-Type", "Location", "Ledger-Version");
    /** Refusals that mean the request was not run (see the class comment); every 5xx is not kept either. */
    private static final Set<Integer> NOT_RUN = Set.of(400, 401, 403, 404, 405, 406, 413, 415, 422, 429);
    /** Refusals that ask for a retry with the same key: keeping them would refuse that retry forever. */
    private static final Set<String> RETRY_SAME_KEY = Set.of("concurrent_modification");
    /** Request attributes: the request runs under its key; its answer is completed as its transaction commits. */
    private static final String RUNNING_KEYED = Idempotency.class.getName() + ".keyed";
    private static final String COMPLETED_AT_COMMIT = Idempotency.class.getName() + ".completedAtCommit";

    private static final Logger log = LoggerFactory.getLogger(Idempotency.class);

    private final IdempotencyStore store;
    private final PlatformTransactionManager transactions;
    private final ErrorResponses errors;
    private final Admission admission;
    /** Turns to run a keyed request, {@link Admission#running} of them. */
    private final Semaphore running;

    /**
     * How many keyed requests may be in their transaction at once, and how long one waits for its turn before
     * a 503. A kept refusal takes a second connection while the request's first still holds the key's lock
     * ({@link #settle}), so as many such requests as the pool has connections, all waiting for a second, would
     * hold every connection until the pool's timeout (query-service and the dispatcher have far more request
     * threads than connections). One fewer than the pool leaves a connection over for one of them, and it frees
     * its two.
     */
    record Admission(int running, Duration timeout) {

        /** One fewer than {@code dataSource}'s pool, waiting as long as the pool would for a connection. */
        static Admission of(DataSource dataSource) {
            try {
                if (dataSource != null && dataSource.isWrapperFor(HikariDataSource.class)) {
                    var pool = dataSource.unwrap(HikariDataSource.class);
                    return new Admission(Math.max(1, pool.getMaximumPoolSize() - 1),
                            Duration.ofMillis(pool.getConnectionTimeout()));
                }
            } catch (SQLException e) {
                // not a pool this can size by
            }
            return new Admission(Integer.MAX_VALUE, Duration.ZERO);
        }
    }

    Idempotency(IdempotencyStore store, PlatformTransactionManager transactions, ErrorResponses errors,
                Admission admission) {
        this.store = store;
        this.transactions = transactions;
        this.errors = errors;
        this.admission = admission;
        this.running = new Semaphore(admission.running(), true);
    }

    public static Idempotency create(JdbcTemplate jdbc, PlatformTransactionManager transactions,
                                     ErrorResponses errors) {
        return new Idempotency(new IdempotencyStore(jdbc), transactions, errors, Admission.of(jdbc.getDataSource()));
    }

    /**
     * For a handler whose answer holds a value the database gives only as the request's transaction commits (an
     * invoice's number): true when the request runs under a key, and then the client is sent the kept answer as it
     * was committed, so a trigger on {@code idempotency_key} that fills the value in at commit fills in both. False
     * without a key: the handler's own transaction has committed already and it can read the value itself.
     */
    public static boolean answerCompletedAtCommit(HttpServletRequest request) {
        if (request.getAttribute(RUNNING_KEYED) == null) {
            return false;
        }
        request.setAttribute(COMPLETED_AT_COMMIT, Boolean.TRUE);
        return true;
    }

    /** Deletes records past their 24 hours; a scheduler calls this hourly. */
    public int purgeExpired() {
        return store.purgeExpired();
    }

    /** A request under its key: whose key it is, and what "the same request" is compared by. */
    record KeyedRequest(String scope, String key, String fingerprint) {
    }

    /**
     * The hosted page's form posts are no merchant's requests: they carry no key, their payment reference
     * makes a repeat a no-op, and reading their body here would hide the form's fields from the handler.
     */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || request.getHeader(HEADER) == null
                || Authentication.isCheckoutPage(request);
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
        var keyed = new KeyedRequest(scope(request), key, RequestFingerprint.of(request.getMethod(),
                request.getRequestURI(), request.getQueryString(), body));
        if (!admitted()) {
            // As the pool would have answered: no connection in time. The key stays free for the retry.
            errors.write(request, response, ApiExceptionHandler.unavailable());
            return;
        }
        var answer = new ContentCachingResponseWrapper(response);
        try {
            runOnce(keyed, new CachedBody(request, body), answer, chain);
        } finally {
            running.release();
        }
        answer.copyBodyToResponse();
    }

    private boolean admitted() {
        try {
            return running.tryAcquire(admission.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Test and live keys of one store are two ledgers, so two key spaces. */
    private static String scope(HttpServletRequest request) {
        var principal = (ApiPrincipal) request.getAttribute(ApiPrincipal.class.getName());
        return principal == null ? "admin" : principal.storeId().value() + (principal.livemode() ? "/live" : "/test");
    }

    /**
     * The request's transaction: takes the key, then replays the kept answer or runs the request, and ends
     * with {@link #settle}. Only a request that ran can commit; answering "in progress" or replaying only
     * read, and their rollback releases the key's lock.
     */
    private void runOnce(KeyedRequest keyed, HttpServletRequest request, ContentCachingResponseWrapper answer,
                         FilterChain chain) throws IOException, ServletException {
        TransactionStatus transaction = transactions.getTransaction(TransactionDefinition.withDefaults());
        boolean ran = false;
        try {
            var taken = store.take(keyed.scope(), keyed.key());
            if (!taken.taken()) {
                errors.write(request, answer, inProgress());
            } else if (taken.kept().isPresent()) {
                replay(request, answer, taken.kept().get(), keyed.fingerprint());
            } else {
                request.setAttribute(RUNNING_KEYED, Boolean.TRUE);
                chain.doFilter(request, answer);
                ran = true;
            }
        } catch (IOException | ServletException | RuntimeException | Error e) {
            try {
                transactions.rollback(transaction);
            } catch (TransactionException rollbackFailed) {
                e.addSuppressed(rollbackFailed);
            }
            throw e;
        }
        if (ran) {
            settle(transaction, keyed, request, answer);
        } else {
            transactions.rollback(transaction);
        }
    }

    /**
     * A success commits with its record, or is not given. Anything else rolls back; a refusal that came from
     * running the request is kept in a transaction of its own, committed <em>before</em> the request's rolls
     * back: the request's transaction holds the key's lock until then, so a concurrent duplicate waiting for
     * it finds the kept answer, never a free key.
     */
    private void settle(TransactionStatus transaction, KeyedRequest keyed, HttpServletRequest request,
                        ContentCachingResponseWrapper answer) throws IOException {
        int status = answer.getStatus();
        if (status < 400) {
            try {
                store.keep(keyed.scope(), keyed.key(), keyed.fingerprint(), status, headers(answer),
                        answer.getContentAsByteArray());
                transactions.commit(transaction);
            } catch (DataAccessException | TransactionException e) {
                rollbackQuietly(transaction);
                if (!ApiExceptionHandler.isStorageOutage(e)) {
                    throw e;
                }
                // The database went away under the request: its work is rolled back (or, at a failed commit,
                // unknown), so the success must not be given; the retry with the same key finds out.
                unavailable(request, answer);
                return;
            }
            if (request.getAttribute(COMPLETED_AT_COMMIT) != null) {
                sendAsKept(keyed, request, answer);
            }
            return;
        }
        Object code = request.getAttribute(ErrorResponses.CODE);
        boolean kept = status < 500 && !NOT_RUN.contains(status) && !(code != null && RETRY_SAME_KEY.contains(code));
        try {
            if (kept) {
                var alone = new TransactionTemplate(transactions);
                alone.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
                alone.executeWithoutResult(t -> store.keep(keyed.scope(), keyed.key(), keyed.fingerprint(),
                        answer.getStatus(), headers(answer), answer.getContentAsByteArray()));
            }
        } catch (DataAccessException | TransactionException e) {
            if (!ApiExceptionHandler.isStorageOutage(e)) {
                throw e;
            }
            // An answer that cannot be kept is not given either: the same key's retry must meet the same one.
            rollbackQuietly(transaction);
            unavailable(request, answer);
            return;
        }
        try {
            transactions.rollback(transaction);
        } catch (TransactionException e) {
            if (status < 500) {
                throw e;
            }
            // The handler answered 5xx because the database went away; the rollback failed for the same
            // reason, and PostgreSQL aborts the transaction of a lost connection anyway.
        }
    }

    /**
     * The answer as committed, in place of the handler's. The work is committed: should the database go away before
     * it is read, the client is told to retry, and the same key's retry replays it.
     */
    private void sendAsKept(KeyedRequest keyed, HttpServletRequest request, ContentCachingResponseWrapper answer)
            throws IOException {
        Optional<IdempotencyStore.Stored> kept;
        try {
            kept = store.find(keyed.scope(), keyed.key());
        } catch (DataAccessException e) {
            log.warn("A keyed request's committed answer could not be read back; answered 503, its retry replays it",
                    e);
            kept = Optional.empty();
        }
        if (kept.isEmpty()) {
            unavailable(request, answer);
            return;
        }
        answer.resetBuffer();
        answer.getOutputStream().write(kept.get().body());
    }

    private void rollbackQuietly(TransactionStatus transaction) {
        if (!transaction.isCompleted()) {
            try {
                transactions.rollback(transaction);
            } catch (TransactionException ignored) {
                // the connection is gone; PostgreSQL aborts its transaction anyway
            }
        }
    }

    private void unavailable(HttpServletRequest request, ContentCachingResponseWrapper answer) throws IOException {
        answer.reset();
        errors.write(request, answer, ApiExceptionHandler.unavailable());
    }

    private void replay(HttpServletRequest request, HttpServletResponse response, IdempotencyStore.Stored stored,
                        String fingerprint) throws IOException {
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
