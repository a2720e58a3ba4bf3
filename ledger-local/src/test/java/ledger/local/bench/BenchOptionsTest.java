package ledger.local.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchOptionsTest {

    @Test
    void defaultsAreAMillionEventsAndFifteenSecondPhasesAt500PerSecond() {
        assertThat(Bench.Options.parse(new String[0])).isEqualTo(new Bench.Options(1_000_000, 15, 16, 500));
    }

    @Test
    void optionsOverrideTheDefaults() {
        assertThat(Bench.Options.parse(new String[] {"--events=200000", "--seconds=5", "--threads=4", "--rate=100"}))
                .isEqualTo(new Bench.Options(200_000, 5, 4, 100));
    }

    @Test
    void unknownOrNonPositiveOptionsAreRefused() {
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--evnts=5"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--evnts=5");
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--seconds=0"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
