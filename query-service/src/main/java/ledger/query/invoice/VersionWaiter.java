package ledger.query.invoice;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.springframework.stereotype.Component;

/**
 * Read-your-writes (SPEC §4.2): a read that names the version it must see waits, bounded, until the
 * projection has applied it. It re-checks the database when this instance's projection commits
 * anything (immediate wake-up) and at least every {@link #POLL} otherwise — another instance may be
 * the one consuming that invoice's partition — so it neither spins nor misses a commit.
 */
@Component
public class VersionWaiter {

    static final Duration POLL = Duration.ofMillis(20);

    private final Object signal = new Object();
    private long commits;

    /** Wakes the waiters: the projection committed something. */
    void advanced() {
        synchronized (signal) {
            commits++;
            signal.notifyAll();
        }
    }

    /**
     * Waits until {@code currentVersion} reports at least {@code version}, or {@code timeout} passed.
     * Returns whether the version was reached. {@code currentVersion} returns -1 for "no such invoice yet".
     */
    public boolean await(long version, Duration timeout, LongSupplier currentVersion) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen;
            synchronized (signal) {
                seen = commits;
            }
            if (currentVersion.getAsLong() >= version) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            long waitNanos = Math.min(left, POLL.toNanos());
            synchronized (signal) {
                if (commits == seen) {
                    long ms = waitNanos / 1_000_000;
                    signal.wait(ms, (int) (waitNanos % 1_000_000));
                }
            }
        }
    }
}
