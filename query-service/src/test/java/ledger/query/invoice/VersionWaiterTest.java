package ledger.query.invoice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class VersionWaiterTest {

    final VersionWaiter waiter = new VersionWaiter();

    @Test
    void answersAtOnceWhenTheVersionIsThere() throws Exception {
        var reads = new AtomicInteger();
        assertThat(waiter.await(3, Duration.ofSeconds(2), () -> {
            reads.incrementAndGet();
            return 3;
        })).isTrue();
        assertThat(reads).hasValue(1);
    }

    @Test
    void wakesUpWhenTheProjectionAdvances() throws Exception {
        var version = new AtomicLong(1);
        var result = CompletableFuture.supplyAsync(() -> {
            try {
                return waiter.await(2, Duration.ofSeconds(5), version::get);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        version.set(2);
        waiter.advanced();
        assertThat(result.get()).isTrue();
    }

    @Test
    void givesUpAfterTheTimeoutPollingAtAGentlePace() throws Exception {
        var reads = new AtomicInteger();
        long start = System.nanoTime();
        boolean reached = waiter.await(5, Duration.ofMillis(300), () -> {
            reads.incrementAndGet();
            return -1;
        });
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(reached).isFalse();
        assertThat(elapsedMs).isBetween(300L, 1000L);
        // About one read per 20 ms poll, not a busy loop.
        assertThat(reads.get()).isBetween(5, 20);
    }
}
