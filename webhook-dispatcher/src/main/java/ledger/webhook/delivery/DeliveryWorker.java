package ledger.webhook.delivery;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import ledger.support.DaemonThreads;
import ledger.webhook.WebhookProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Works the delivery queue: one poller thread leases due deliveries into per-target {@link Lanes}, and a
 * fixed pool of workers runs the lanes, making the attempts over the sender's kept-alive connections.
 *
 * <p>Isolation: a lane runs at most {@code per-target-concurrency} attempts at once, and a full lane's
 * target is skipped in the claim query itself. So an endpoint that hangs holds at most that many workers,
 * each for at most the request timeout, and every other target keeps being served. When several targets
 * wait for a worker, a worker takes one attempt of a lane at a time and then lets the next lane in line go.
 *
 * <p>Cost: a round of the poller records every attempt finished since the last one and claims what may go
 * now in one transaction; it runs when new work is woken up, when a lane is down to half its depth, or when
 * many attempts wait to be recorded — not after every attempt.
 */
@Component
public class DeliveryWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final Duration DEPTH_REFRESH = Duration.ofSeconds(5);
    private static final Duration FAILED_POLL_PAUSE = Duration.ofSeconds(5);
    /** Time a claim must have left on its lease, beyond the request timeout, to be attempted. */
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(5);

    private final DeliveryQueue queue;
    private final Attempts attempts;
    private final DeliveryMetrics metrics;
    private final WebhookProperties properties;
    private final Clock clock;
    private final Lanes lanes;

    /** Attempts made by the workers, for the poller to record. */
    private final Queue<DeliveryQueue.Finished> finished = new ConcurrentLinkedQueue<>();
    private final AtomicInteger finishedCount = new AtomicInteger();
    /** Taken from {@link #finished} but not recorded yet; guarded by itself (the poller, and stop). */
    private final List<DeliveryQueue.Finished> unrecorded = new ArrayList<>();
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running;
    private ThreadPoolExecutor workers;
    private Thread poller;
    private long depthRefreshedAt;

    DeliveryWorker(DeliveryQueue queue, Attempts attempts, DeliveryMetrics metrics, WebhookProperties properties,
                   Clock clock) {
        this.queue = queue;
        this.attempts = attempts;
        this.metrics = metrics;
        this.properties = properties;
        this.clock = clock;
        // A fast lane holds WAVES rounds of attempts: they must all fit well within a lease.
        Duration slow = properties.lease().minus(properties.requestTimeout()).dividedBy(2L * Lanes.WAVES);
        this.lanes = new Lanes(properties.perTargetConcurrency(), properties.workers() * Lanes.WAVES, slow,
                properties.requestTimeout().plus(LEASE_MARGIN));
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
        workers = new ThreadPoolExecutor(properties.workers(), properties.workers(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.named("webhook-worker-"));
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
            // Claims no worker has started go back to the queue now rather than when their leases run out.
            List<DeliveryQueue.Claim> unsent = lanes.close();
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
            queue.release(unsent);
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
     * One round: records the attempts finished since the last round and claims what the lanes have room
     * for, in one transaction. What can't be recorded now (the database is away) stays for the next round;
     * should the instance die first, the leases run out and the deliveries are attempted again. Returns
     * whether polling again right away may find more: only when the candidates filled the query's limit.
     */
    private boolean claimAndDispatch() {
        // Bounded so that one round's candidates (four per claim) stay a small read.
        int room = Math.min(lanes.room(), properties.workers());
        List<DeliveryQueue.Claim> claims;
        boolean more;
        synchronized (unrecorded) {
            drainFinished();
            if (room <= 0 && unrecorded.isEmpty()) {
                return false;
            }
            var round = queue.completeAndClaim(unrecorded, room, lanes.full(), lanes::room, clock.instant());
            unrecorded.clear();
            round.disabled().forEach(id -> log.warn("Disabled webhook endpoint {} after its failed attempts", id));
            claims = round.claims();
            more = round.more();
        }
        for (String target : lanes.add(claims)) {
            workers.execute(() -> run(target));
        }
        // Fewer candidates than asked for: nothing else is due until an attempt ends or new work is woken up.
        return more && !claims.isEmpty();
    }

    /**
     * A runner of the target's lane: attempts its claims one at a time until the lane is empty. While other
     * lanes wait for a worker it goes to the back of the line after each attempt, so every target is served.
     */
    private void run(String target) {
        for (var claim = lanes.next(target, clock.instant()); claim != null;
             claim = lanes.next(target, clock.instant())) {
            boolean ask = lanes.done(target, attempt(claim));
            if (ask || finishedCount.get() >= properties.workers()) {
                wake();
            }
            // Not once stopping: the pool takes no new task then, and the lanes have been emptied.
            if (running && !workers.getQueue().isEmpty()) {
                workers.execute(() -> run(target));
                return;
            }
        }
    }

    /** Attempts the claim; returns how long that took. */
    private Duration attempt(DeliveryQueue.Claim claim) {
        long started = System.nanoTime();
        try {
            attempts.make(claim).ifPresent(f -> {
                finished.add(f);
                finishedCount.incrementAndGet();
            });
        } catch (RuntimeException e) {
            // The lease runs out and the delivery becomes due again.
            log.error("Delivery {} of {} failed unexpectedly", claim.id(), claim.eventId(), e);
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private void drainFinished() {
        for (DeliveryQueue.Finished f = finished.poll(); f != null; f = finished.poll()) {
            unrecorded.add(f);
            finishedCount.decrementAndGet();
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
