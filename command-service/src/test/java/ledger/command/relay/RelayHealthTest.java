package ledger.command.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import ledger.command.MovableClock;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Status;

/** The two health components that tell whether events reach Kafka, judged by a clock the test moves. */
class RelayHealthTest {

    static final Instant T = Instant.parse("2026-12-05T10:00:00Z");
    final MovableClock clock = new MovableClock(T);

    @Nested
    class RelayLag {
        RelayProgress.State state = new RelayProgress.State(true, true, null, null);
        final RelayLagHealthIndicator health = new RelayLagHealthIndicator(() -> state, clock,
                new RelayProperties(Duration.ofSeconds(30)));

        @Test
        void isDownWhileAnEventWaitsLongerThanMaxLagAndUpOnceTheRelayCaughtUp() {
            state = new RelayProgress.State(true, true, null, T);
            clock.moveTo(T.plusSeconds(10));
            assertThat(health.health().getStatus()).as("within max-lag").isEqualTo(Status.UP);

            clock.moveTo(T.plusSeconds(31));
            var stalled = health.health();
            assertThat(stalled.getStatus()).isEqualTo(Status.DOWN);
            assertThat(stalled.getDetails()).containsEntry("lag", "PT31S");

            state = new RelayProgress.State(true, true, null, null);
            assertThat(health.health().getStatus()).as("caught up").isEqualTo(Status.UP);
        }

        @Test
        void isDownWhileTheRelayRetriesAFailedBatchOrDoesNotRun() {
            state = new RelayProgress.State(true, true, new IllegalStateException("Kafka did not acknowledge"), null);
            assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
            state = new RelayProgress.State(false, false, null, null);
            assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        }

        @Test
        void isUpWhereAnotherInstanceHoldsTheRelaysSegments() {
            state = new RelayProgress.State(true, false, null, null);
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        }
    }

    @Nested
    class Broker {
        boolean reachable = true;
        int probes;
        final KafkaBrokerHealthIndicator health = new KafkaBrokerHealthIndicator(timeout -> {
            probes++;
            if (!reachable) {
                throw new ConnectException("Connection refused");
            }
            return "cluster-1";
        }, clock);

        @Test
        void isDownWhenNoBrokerAnswersAndUpAgainWhenOneDoes() {
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            reachable = false;
            clock.moveTo(T.plus(KafkaBrokerHealthIndicator.KEPT_FOR));
            assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
            reachable = true;
            clock.moveTo(T.plus(KafkaBrokerHealthIndicator.KEPT_FOR.multipliedBy(2)));
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        }

        @Test
        void asksTheBrokerOncePerIntervalHoweverOftenHealthIsChecked() {
            health.health();
            clock.moveTo(T.plus(KafkaBrokerHealthIndicator.KEPT_FOR).minusMillis(1));
            health.health();
            assertThat(probes).isEqualTo(1);
            clock.moveTo(T.plus(KafkaBrokerHealthIndicator.KEPT_FOR));
            health.health();
            assertThat(probes).isEqualTo(2);
        }
    }
}
