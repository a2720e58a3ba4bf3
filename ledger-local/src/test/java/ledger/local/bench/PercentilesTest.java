package ledger.local.bench;

import org.junit.jupiter.api.Test;

import java.util.NavigableMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PercentilesTest {

    @Test
    void nearestRankPercentilesOfSamples() {
        long[] samples = new long[100];
        for (int i = 0; i < 100; i++) {
            samples[i] = 100 - i; // unsorted on purpose
        }
        assertThat(Percentiles.of(samples, 50)).isEqualTo(50);
        assertThat(Percentiles.of(samples, 99)).isEqualTo(99);
        assertThat(Percentiles.of(samples, 100)).isEqualTo(100);
        assertThat(Percentiles.of(new long[] {7}, 99)).isEqualTo(7);
        assertThat(Percentiles.of(new long[0], 50)).isNaN();
    }

    private static final String SCRAPE_1 = """
            # HELP ledger_projection_lag_seconds Time from an event's occurred_at until the projection applied it
            # TYPE ledger_projection_lag_seconds histogram
            ledger_projection_lag_seconds_bucket{application="query-service",le="0.01"} 10
            ledger_projection_lag_seconds_bucket{application="query-service",le="0.05"} 20
            ledger_projection_lag_seconds_bucket{application="query-service",le="0.1"} 20
            ledger_projection_lag_seconds_bucket{application="query-service",le="+Inf"} 20
            ledger_projection_lag_seconds_count{application="query-service"} 20
            other_histogram_bucket{le="0.01"} 999
            """;
    private static final String SCRAPE_2 = """
            ledger_projection_lag_seconds_bucket{application="query-service",le="0.01"} 60
            ledger_projection_lag_seconds_bucket{application="query-service",le="0.05"} 110
            ledger_projection_lag_seconds_bucket{application="query-service",le="0.1"} 119
            ledger_projection_lag_seconds_bucket{application="query-service",le="+Inf"} 120
            """;

    @Test
    void bucketsAreReadPerHistogramAndSubtracted() {
        NavigableMap<Double, Double> before = Percentiles.buckets(SCRAPE_1, "ledger_projection_lag_seconds");
        assertThat(before).containsEntry(0.01, 10.0).containsEntry(0.05, 20.0)
                .containsEntry(Double.POSITIVE_INFINITY, 20.0).hasSize(4);
        NavigableMap<Double, Double> delta = Percentiles.delta(before,
                Percentiles.buckets(SCRAPE_2, "ledger_projection_lag_seconds"));
        assertThat(delta).containsEntry(0.01, 50.0).containsEntry(0.05, 90.0).containsEntry(0.1, 99.0)
                .containsEntry(Double.POSITIVE_INFINITY, 100.0);
    }

    @Test
    void quantileInterpolatesInsideTheBucketLikeHistogramQuantile() {
        NavigableMap<Double, Double> cumulative = new TreeMap<>();
        cumulative.put(0.01, 50.0);
        cumulative.put(0.05, 90.0);
        cumulative.put(0.1, 99.0);
        cumulative.put(Double.POSITIVE_INFINITY, 100.0);
        // rank 50 is the last of the first bucket: its upper bound
        assertThat(Percentiles.quantile(cumulative, 0.50)).isCloseTo(0.01, within(1e-9));
        // rank 70 is halfway through (0.01, 0.05]
        assertThat(Percentiles.quantile(cumulative, 0.70)).isCloseTo(0.03, within(1e-9));
        // rank 99 is the top of (0.05, 0.1]
        assertThat(Percentiles.quantile(cumulative, 0.99)).isCloseTo(0.1, within(1e-9));
        // in +Inf: the highest finite bound
        assertThat(Percentiles.quantile(cumulative, 0.999)).isCloseTo(0.1, within(1e-9));
        // the first bucket interpolates from zero
        assertThat(Percentiles.quantile(cumulative, 0.25)).isCloseTo(0.005, within(1e-9));
    }

    @Test
    void emptyHistogramHasNoQuantile() {
        assertThat(Percentiles.quantile(new TreeMap<>(), 0.5)).isNaN();
        NavigableMap<Double, Double> zero = new TreeMap<>();
        zero.put(Double.POSITIVE_INFINITY, 0.0);
        assertThat(Percentiles.quantile(zero, 0.5)).isNaN();
    }
}
