package ledger.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The shared IT context's clock: the system clock, unless a test has moved it to another moment, from
 * which it keeps running. A test that moves it puts it back ({@link #reset}) before it ends.
 */
public final class MovableClock extends Clock {

    private volatile Duration offset = Duration.ZERO;

    /** From now on the clock reads {@code moment}, and runs on from there. */
    public void moveTo(Instant moment) {
        offset = Duration.between(Instant.now(), moment);
    }

    public void reset() {
        offset = Duration.ZERO;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the ledger's clock is UTC");
    }
}
