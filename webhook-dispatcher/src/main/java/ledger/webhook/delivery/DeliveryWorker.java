package ledger.webhook.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import ledger.support.auth.AccessRecord;
import ledger.support.auth.AccessRegistry;
import ledger.webhook.WebhookProperties;
import ledger.webhook.endpoint.Endpoint;
import ledger.webhook.target.TargetPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Works the delivery queue: one poller thread leases due deliveries and hands them to a fixed pool of
 * workers that make the attempts.
 *
 * <p>Isolation: the poller never leases more than there are free workers, nor more than
 * {@code per-target-concurrency} in flight for one endpoint (or one callback host), and skips saturated
 * targets in the query itself. So an endpoint that hangs holds at most that many workers, each for at
 * most the request timeout, and every other target keeps being served.
 */
@Component
public class DeliveryWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final Duration DEPTH_REFRESH = Duration.ofSeconds(5);
    private static final Duration FAILED_POLL_PAUSE = Duration.ofSeconds(5);

    private final DeliveryQueue queue;
    private final AccessRegistry registry;
    private final TargetPolicy policy;
    private final WebhookSender sender;
    private final RetryPolicy retries;
    private final DeliveryMetrics metrics;
    private final WebhookProperties properties;
    private final Clock clock;

    /** Attempts in flight per target key; guarded by itself. */
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final AtomicInteger busy = new AtomicInteger();
    /** Attempts made by the workers, for the poller to record. */
    private final Queue<DeliveryQueue.Finished> finished = new ConcurrentLinkedQueue<>();
    /** Taken from {@link #finished} but not recorded yet; guarded by itself (the poller, and stop). */
    private final List<DeliveryQueue.Finished> unrecorded = new ArrayList<>();
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running;
    private ExecutorService workers;
    private Thread poller;
    private long depthRefreshedAt;

    DeliveryWorker(DeliveryQueue queue, AccessRegistry registry, TargetPolicy policy,
                   WebhookSender sender, RetryPolicy retries, DeliveryMetrics metrics, WebhookProperties properties,
                   Clock clock) {
        this.queue = queue;
        this.registry = registry;
        this.policy = policy;
        this.sender = sender;
        this.retries = retries;
        this.metrics = metrics;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * New deliveries may be due: poll now instead of at the next interval. Called inside a transaction
     * (a redelivery under an Idempotency-Key runs in the request's), the poll waits for its commit, since
     * it can only claim committed rows.
     */
    public void wake() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    signal();
                }
            });
        } else {
            signal();
        }
    }

    private void signal() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    @Override
    public void start() {
        var threadNumber = new AtomicInteger();
        workers = new ThreadPoolExecutor(properties.workers(), properties.workers(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    var t = new Thread(r, "webhook-worker-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        running = true;
        poller = new Thread(this::poll, "webhook-poller");
        poller.setDaemon(true);
        poller.start();
    }

    @Override
    public void stop() {
        running = false;
        wake();
        try {
            if (poller != null) {
                poller.join(5_000);
            }
            if (workers != null) {
                workers.shutdown();
                // Attempts in flight finish (they are bounded by the request timeout); the rest stays queued.
                if (!workers.awaitTermination(properties.requestTimeout().toMillis() + 2_000, TimeUnit.MILLISECONDS)) {
                    workers.shutdownNow();
                }
            }
            // The poller has ended: what the last attempts did is recorded here, or they are made again.
            synchronized (unrecorded) {
                drainFinished();
                queue.complete(unrecorded);
                unrecorded.clear();
            }
        } catch (RuntimeException e) {
            log.warn("Could not record the last attempts; their deliveries will be attempted again: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void poll() {
        while (running) {
            boolean more = false;
            Duration pause = properties.pollInterval();
            try {
                more = claimAndDispatch();
                refreshDepth();
            } catch (RuntimeException e) {
                log.warn("Polling the delivery queue failed; retrying in {}: {}", FAILED_POLL_PAUSE, e.toString());
                pause = FAILED_POLL_PAUSE;
            }
            if (!more) {
                awaitSignal(pause);
            }
        }
    }

    /**
     * One round: records the attempts finished since the last round and claims what may go now, in one
     * transaction. What can't be recorded now (the database is away) stays for the next round; should the
     * instance die first, the leases run out and the deliveries are attempted again. Returns whether
     * polling again right away may find more: only when the candidates filled the query's limit.
     */
    private boolean claimAndDispatch() {
        int free = properties.workers() - busy.get();
        Map<String, Integer> snapshot;
        synchronized (inFlight) {
            snapshot = new HashMap<>(inFlight);
        }
        int limit = properties.perTargetConcurrency();
        Set<String> saturated = new HashSet<>();
        snapshot.forEach((target, n) -> {
            if (n >= limit) {
                saturated.add(target);
            }
        });
        List<DeliveryQueue.Claim> claims;
        boolean more;
        synchronized (unrecorded) {
            drainFinished();
            if (free <= 0 && unrecorded.isEmpty()) {
                return false;
            }
            var round = queue.completeAndClaim(unrecorded, free, saturated,
                    target -> limit - snapshot.getOrDefault(target, 0), clock.instant());
            unrecorded.clear();
            round.disabled().forEach(id -> log.warn("Disabled webhook endpoint {} after its failed attempts", id));
            claims = round.claims();
            more = round.more();
        }
        for (DeliveryQueue.Claim claim : claims) {
            synchronized (inFlight) {
                inFlight.merge(claim.targetKey(), 1, Integer::sum);
            }
            busy.incrementAndGet();
            workers.execute(() -> {
                try {
                    attempt(claim);
                } catch (RuntimeException e) {
                    // The lease runs out and the delivery becomes due again.
                    log.error("Delivery {} of {} failed unexpectedly", claim.id(), claim.eventId(), e);
                } finally {
                    synchronized (inFlight) {
                        inFlight.computeIfPresent(claim.targetKey(), (k, n) -> n <= 1 ? null : n - 1);
                    }
                    busy.decrementAndGet();
                    wake();
                }
            });
        }
        // Fewer candidates than asked for: nothing else is due until an attempt ends or new work is woken up.
        return more && !claims.isEmpty();
    }

    private void attempt(DeliveryQueue.Claim claim) {
        Instant started = clock.instant();
        String url;
        List<String> secrets;
        if (claim.endpointId() != null) {
            Endpoint endpoint = claim.endpoint();
            if (endpoint == null) {
                queue.finish(claim, "cancelled", "endpoint deleted", started);
                return;
            }
            if (endpoint.disabled()) {
                queue.finish(claim, "failed", "endpoint disabled", started);
                return;
            }
            url = endpoint.url();
            secrets = endpoint.signingSecrets(started);
        } else {
            url = claim.url();
            Optional<String> secret = registry.store(claim.storeId()).map(AccessRecord.Store::callbackSecret);
            if (secret.isEmpty()) {
                record(claim, started, new WebhookSender.Result(WebhookSender.Kind.NETWORK_ERROR, null, null, 0,
                        "Store " + claim.storeId() + " is unknown here yet; no callback secret to sign with"), false);
                return;
            }
            secrets = List.of(secret.get());
        }
        Optional<String> problem = policy.urlProblem(url);
        if (problem.isPresent()) {
            // The URL itself is refused (e.g. http:// in production): no later attempt can do better.
            record(claim, started, new WebhookSender.Result(WebhookSender.Kind.BLOCKED, null, null, 0,
                    "Target refused: " + problem.get()), true);
            return;
        }
        byte[] body = claim.body().getBytes(StandardCharsets.UTF_8);
        long timestamp = clock.instant().getEpochSecond();
        var headers = new LinkedHashMap<String, String>();
        headers.put("webhook-id", claim.eventId());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        try {
            headers.put("webhook-signature", Signatures.header(claim.eventId(), timestamp, body, secrets));
        } catch (IllegalArgumentException e) {
            // A secret that is not whsec_ + base64 can't sign; retrying won't fix it.
            record(claim, started, new WebhookSender.Result(WebhookSender.Kind.BLOCKED, null, null, 0,
                    "Signing secret is not a valid whsec_ value"), true);
            return;
        }
        record(claim, started, sender.send(url, headers, body), false);
    }

    private void record(DeliveryQueue.Claim claim, Instant started, WebhookSender.Result result, boolean permanent) {
        Instant now = clock.instant();
        DeliveryQueue.Completion completion;
        String outcome = result.kind().label();
        if (result.succeeded()) {
            completion = new DeliveryQueue.Completion(started, result.status(), result.latencyMillis(), null,
                    "succeeded", null, true, null);
            metrics.delivered(Duration.between(claim.occurredAt(), now));
        } else if (Integer.valueOf(410).equals(result.status())) {
            // 410 Gone: the receiver says this endpoint is no more.
            outcome = "gone";
            completion = new DeliveryQueue.Completion(started, 410, result.latencyMillis(), result.error(), "failed",
                    null, false, "gone");
        } else {
            Optional<Duration> retryAfter = Integer.valueOf(429).equals(result.status())
                    || Integer.valueOf(503).equals(result.status())
                    ? RetryPolicy.parseRetryAfter(result.retryAfter(), now) : Optional.empty();
            Optional<Instant> next = permanent ? Optional.empty()
                    : retries.nextAttempt(claim.attempts() + 1, now, retryAfter);
            completion = new DeliveryQueue.Completion(started, result.status(), result.latencyMillis(),
                    result.error(), next.isPresent() ? "pending" : "failed", next.orElse(null), false, null);
        }
        metrics.attempt(outcome);
        finished.add(new DeliveryQueue.Finished(claim, completion));
        if (!result.succeeded()) {
            log.info("Delivery of {} to {} failed (attempt {}): {}", claim.eventId(),
                    claim.endpointId() != null ? claim.endpointId() : "callback", claim.attempts() + 1, result.error());
        }
    }

    private void drainFinished() {
        for (DeliveryQueue.Finished f = finished.poll(); f != null; f = finished.poll()) {
            unrecorded.add(f);
        }
    }

    private void refreshDepth() {
        long now = System.nanoTime();
        if (now - depthRefreshedAt >= DEPTH_REFRESH.toNanos()) {
            metrics.depth(queue.depth());
            depthRefreshedAt = now;
        }
    }

    private void awaitSignal(Duration timeout) {
        synchronized (signal) {
            if (!woken && running) {
                try {
                    signal.wait(Math.max(1, timeout.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
            woken = false;
        }
    }
}
