package ledger.webhook.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claimed deliveries waiting for their attempt, one lane per target (an endpoint, or a callback host), in
 * the order they were claimed.
 *
 * <p>A lane has at most {@code concurrency} runners, each making one attempt at a time, so a hanging
 * endpoint holds at most that many workers. A lane whose receiver answers quickly holds {@link #WAVES}
 * times that many claims, so a busy target is served from memory for several rounds of attempts between
 * two polls instead of costing a poll every attempt or two. A new lane, and one whose last attempt was slow,
 * holds one wave: every claim must be attempted well within its lease. A claim whose lease has too little
 * left when its turn comes is not attempted at all, so claiming ahead never lets two instances send one
 * delivery: its lease runs out and it is claimed afresh.
 */
final class Lanes {

    private static final Logger log = LoggerFactory.getLogger(Lanes.class);

    /** How many rounds of attempts a fast lane holds claimed ahead. */
    static final int WAVES = 8;

    private final int concurrency;
    private final int capacity;
    private final Duration slow;
    private final Duration leaseNeeded;
    /** Lanes holding claims or runners; a lane that runs empty is dropped. Guarded by this. */
    private final Map<String, Lane> lanes = new HashMap<>();
    private int held;

    private static final class Lane {
        final ArrayDeque<DeliveryQueue.Claim> queued = new ArrayDeque<>();
        /** Claims queued or being attempted. */
        int held;
        int runners;
        boolean fast;
        /** Whether the lane has asked for a poll since the last one. */
        boolean asked;
    }

    /**
     * @param concurrency attempts in flight per target
     * @param capacity    claims held across all lanes
     * @param slow        an attempt taking longer makes its lane hold one wave only
     * @param leaseNeeded lease a claim must have left for its attempt to start
     */
    Lanes(int concurrency, int capacity, Duration slow, Duration leaseNeeded) {
        this.concurrency = concurrency;
        this.capacity = capacity;
        this.slow = slow;
        this.leaseNeeded = leaseNeeded;
    }

    /** How many more claims all lanes together may take now. */
    synchronized int room() {
        return capacity - held;
    }

    /**
     * How many more claims the target's lane may take now: none until it is down to half its depth, so that
     * a busy lane is refilled by a few large claims rather than by one claim per attempt that ends, and
     * before it runs dry.
     */
    synchronized int room(String target) {
        Lane lane = lanes.get(target);
        return lane == null ? concurrency : room(lane);
    }

    /** The targets whose lanes can take no claim now. */
    synchronized Set<String> full() {
        Set<String> full = new HashSet<>();
        lanes.forEach((target, lane) -> {
            if (room(lane) <= 0) {
                full.add(target);
            }
        });
        return full;
    }

    private int room(Lane lane) {
        return low(lane) ? depth(lane) - lane.held : 0;
    }

    private boolean low(Lane lane) {
        return lane.queued.size() <= depth(lane) / 2;
    }

    /**
     * Queues a poll's claims in their lanes. Returns one target per runner to start: the caller runs each with
     * {@link #next} until that answers null.
     */
    synchronized List<String> add(List<DeliveryQueue.Claim> claims) {
        // The poll that lanes asked for has been made: the next attempt to end in a low lane asks again.
        lanes.values().forEach(lane -> lane.asked = false);
        List<String> runners = new ArrayList<>();
        for (DeliveryQueue.Claim claim : claims) {
            Lane lane = lanes.computeIfAbsent(claim.targetKey(), t -> new Lane());
            lane.queued.add(claim);
            lane.held++;
            held++;
            // The lane's runners take every claim queued before; this one needs a runner of its own if room.
            if (lane.runners < concurrency) {
                lane.runners++;
                runners.add(claim.targetKey());
            }
        }
        return runners;
    }

    /**
     * The next claim for a runner of the target's lane that has enough lease left at {@code now}, or null: the
     * runner ends. Claims passed over make the lane slow.
     */
    synchronized DeliveryQueue.Claim next(String target, Instant now) {
        Lane lane = lanes.get(target);
        DeliveryQueue.Claim claim = lane.queued.poll();
        int passedOver = 0;
        while (claim != null && now.plus(leaseNeeded).isAfter(claim.leaseUntil())) {
            lane.held--;
            held--;
            lane.fast = false;
            passedOver++;
            claim = lane.queued.poll();
        }
        if (passedOver > 0) {
            // Each goes out only once its lease has run out, up to a lease late: never expected, worth a look.
            log.warn("Passed over {} claimed deliveries to {}: less than {} s of their leases left when their turn"
                    + " came; they go out once their leases have run out and they are claimed again", passedOver,
                    target, leaseNeeded.toSeconds());
        }
        if (claim == null) {
            lane.runners--;
            dropIfIdle(target, lane);
        }
        return claim;
    }

    /**
     * A claim of the target's lane has been dealt with, its attempt having taken {@code took}. Returns whether
     * a poll should be made now: the lane is low, and has not asked since the last poll. The poll records the
     * attempts made so far too, which lets the invoices' next events go.
     */
    synchronized boolean done(String target, Duration took) {
        Lane lane = lanes.get(target);
        lane.held--;
        held--;
        lane.fast = took.compareTo(slow) <= 0;
        boolean ask = !lane.asked && low(lane);
        lane.asked |= ask;
        dropIfIdle(target, lane);
        return ask;
    }

    /** Empties every lane: returns the claims that were waiting for a runner. */
    synchronized List<DeliveryQueue.Claim> close() {
        List<DeliveryQueue.Claim> waiting = new ArrayList<>();
        lanes.values().forEach(lane -> {
            waiting.addAll(lane.queued);
            lane.held -= lane.queued.size();
            held -= lane.queued.size();
            lane.queued.clear();
        });
        return waiting;
    }

    private int depth(Lane lane) {
        return lane.fast ? concurrency * WAVES : concurrency;
    }

    private void dropIfIdle(String target, Lane lane) {
        if (lane.held == 0 && lane.runners == 0) {
            lanes.remove(target);
        }
    }
}
