package ledger.webhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import ledger.events.StoreId;
import org.junit.jupiter.api.Test;

class LanesTest {

    private static final Duration SLOW = Duration.ofSeconds(3);
    private static final Duration LEASE_NEEDED = Duration.ofSeconds(15);
    /** The claims' leases run to a minute after the epoch. */
    private static final Instant NOW = Instant.EPOCH;
    private final Lanes lanes = new Lanes(4, 100, SLOW, LEASE_NEEDED);

    @Test
    void aNewLaneTakesOneWaveAndAFastOneTakesSeveral() {
        assertThat(lanes.room("a")).isEqualTo(4);
        lanes.add(claims("a", 4));
        assertThat(lanes.room("a")).isZero();
        assertThat(lanes.full()).containsExactly("a");

        lanes.next("a", NOW);
        lanes.done("a", Duration.ofMillis(2));
        assertThat(lanes.room("a")).isEqualTo(4 * Lanes.WAVES - 3);
        assertThat(lanes.full()).isEmpty();
    }

    @Test
    void aSlowAttemptBringsTheLaneBackToOneWave() {
        lanes.add(claims("a", 1));
        lanes.next("a", NOW);
        lanes.done("a", Duration.ofMillis(2));
        lanes.add(claims("a", 20));
        lanes.next("a", NOW);
        lanes.done("a", SLOW.plusMillis(1));
        assertThat(lanes.room("a")).isNotPositive();
        assertThat(lanes.full()).containsExactly("a");
    }

    @Test
    void aLaneTakesNoMoreClaimsUntilItIsDownToHalfItsDepth() {
        lanes.add(claims("a", 1));
        lanes.next("a", NOW);
        lanes.done("a", Duration.ZERO);
        lanes.add(claims("a", 20));
        assertThat(lanes.room("a")).as("20 queued").isZero();
        assertThat(lanes.full()).containsExactly("a");
        for (int i = 0; i < 4; i++) {
            lanes.next("a", NOW);
        }
        assertThat(lanes.room("a")).as("16 queued, 4 being attempted").isEqualTo(4 * Lanes.WAVES - 20);
    }

    @Test
    void aLaneHasAtMostItsConcurrencyOfRunnersHoweverManyClaimsWait() {
        assertThat(lanes.add(claims("a", 3))).containsExactly("a", "a", "a");
        assertThat(lanes.add(claims("a", 3))).containsExactly("a");
        assertThat(lanes.add(claims("b", 2))).containsExactly("b", "b");
        assertThat(lanes.add(claims("a", 10))).isEmpty();
    }

    @Test
    void aRunnerTakesTheLanesClaimsInTheOrderClaimedAndEndsWhenItIsEmpty() {
        var claims = claims("a", 3);
        lanes.add(claims);
        List<Long> taken = new ArrayList<>();
        for (var claim = lanes.next("a", NOW); claim != null; claim = lanes.next("a", NOW)) {
            taken.add(claim.id());
            lanes.done("a", Duration.ZERO);
        }
        assertThat(taken).containsExactly(0L, 1L, 2L);
        // The two other runners started for the claims find none left.
        assertThat(lanes.next("a", NOW)).isNull();
        assertThat(lanes.next("a", NOW)).isNull();
        // The lane is gone with its last runner: the target starts again at one wave.
        assertThat(lanes.room("a")).isEqualTo(4);
        assertThat(lanes.room()).isEqualTo(100);
    }

    @Test
    void theLaneAsksForAPollOnceWhenDownToHalfItsDepth() {
        lanes.add(claims("a", 1));
        lanes.next("a", NOW);
        lanes.done("a", Duration.ZERO);
        lanes.add(claims("a", 20));
        lanes.next("a", NOW);
        assertThat(lanes.done("a", Duration.ZERO)).as("19 left").isFalse();
        for (int i = 0; i < 2; i++) {
            lanes.next("a", NOW);
            lanes.done("a", Duration.ZERO);
        }
        lanes.next("a", NOW);
        assertThat(lanes.done("a", Duration.ZERO)).as("16 left").isTrue();
        lanes.next("a", NOW);
        assertThat(lanes.done("a", Duration.ZERO)).as("asked already").isFalse();
        lanes.add(List.of());
        lanes.next("a", NOW);
        assertThat(lanes.done("a", Duration.ZERO)).as("polled since").isTrue();
    }

    @Test
    void aClaimWithTooLittleLeaseLeftIsPassedOverAndTheLaneBecomesSlow() {
        lanes.add(claims("a", 1));
        lanes.next("a", NOW);
        lanes.done("a", Duration.ZERO);
        lanes.add(List.of(claim("a", 0, NOW.plusSeconds(10)), claim("a", 1, NOW.plusSeconds(15)),
                claim("a", 2, NOW.plusSeconds(60))));
        assertThat(lanes.next("a", NOW).id()).isEqualTo(1L);
        assertThat(lanes.next("a", NOW).id()).isEqualTo(2L);
        assertThat(lanes.room("a")).as("one wave, two being attempted").isEqualTo(2);
        assertThat(lanes.room()).isEqualTo(98);
    }

    @Test
    void allLanesTogetherHoldAtMostTheCapacity() {
        var small = new Lanes(4, 6, SLOW, LEASE_NEEDED);
        small.add(claims("a", 4));
        assertThat(small.room()).isEqualTo(2);
    }

    @Test
    void closingGivesBackTheClaimsNoRunnerHasTaken() {
        lanes.add(claims("a", 6));
        var first = lanes.next("a", NOW);
        assertThat(lanes.close()).extracting(DeliveryQueue.Claim::id).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(lanes.next("a", NOW)).isNull();
        lanes.done("a", Duration.ZERO);
        assertThat(first.id()).isZero();
        assertThat(lanes.room()).isEqualTo(100);
    }

    private static List<DeliveryQueue.Claim> claims(String target, int n) {
        return IntStream.range(0, n).mapToObj(i -> claim(target, i, NOW.plusSeconds(60))).toList();
    }

    private static DeliveryQueue.Claim claim(String target, long id, Instant leaseUntil) {
        return new DeliveryQueue.Claim(id, "token", leaseUntil, "evt_" + id, null, "http://x", target, 0, "{}",
                Instant.EPOCH, StoreId.generate(), null);
    }
}
