package ledger.local.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchOptionsTest {

    @Test
    void defaultsAreAMillionEventsFifteenSecondPhases250PerSecondAndFiveMinutesOfWarmUp() {
        assertThat(Bench.Options.parse(new String[0])).isEqualTo(new Bench.Options(1_000_000, 15, 16, 250, 300, 0));
    }

    @Test
    void optionsOverrideTheDefaults() {
        assertThat(Bench.Options.parse(new String[] {"--events=200000", "--seconds=5", "--threads=4", "--rate=100",
                "--warmup=30", "--sustainable-rate=80"}))
                .isEqualTo(new Bench.Options(200_000, 5, 4, 100, 30, 80));
    }

    @Test
    void warmupZeroSkipsTheWarmUp() {
        assertThat(Bench.Options.parse(new String[] {"--warmup=0"}).warmupSeconds()).isZero();
    }

    @Test
    void sustainableRateDefaultsToFortyPercentOfTheCreateRateRoundedDownToTens() {
        Bench.Options defaults = Bench.Options.parse(new String[0]);
        assertThat(defaults.sustainableRateFor(237.9)).isEqualTo(90);
        assertThat(defaults.sustainableRateFor(250)).isEqualTo(100);
        assertThat(defaults.sustainableRateFor(812.4)).isEqualTo(320);
    }

    @Test
    void derivedSustainableRateIsAtLeastTen() {
        Bench.Options defaults = Bench.Options.parse(new String[0]);
        assertThat(defaults.sustainableRateFor(20)).isEqualTo(10);
        assertThat(defaults.sustainableRateFor(0)).isEqualTo(10);
        assertThat(defaults.sustainableRateFor(Double.NaN)).isEqualTo(10);
    }

    @Test
    void anExplicitSustainableRateOverridesTheMeasuredOne() {
        Bench.Options options = Bench.Options.parse(new String[] {"--sustainable-rate=45"});
        assertThat(options.sustainableRateFor(237.9)).isEqualTo(45);
        assertThat(options.sustainableRateFor(20)).isEqualTo(45);
    }

    @Test
    void unknownOrNonPositiveOptionsAreRefused() {
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--evnts=5"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--evnts=5")
                .hasMessageContaining("--warmup=N").hasMessageContaining("--sustainable-rate=N");
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--seconds=0"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--warmup=-1"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--sustainable-rate=0"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
