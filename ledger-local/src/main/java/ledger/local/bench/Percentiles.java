package ledger.local.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Quantiles of raw samples (nearest rank) and of Prometheus cumulative histograms. */
final class Percentiles {

    private Percentiles() {
    }

    /** Nearest-rank percentile (p in 0..100) of the samples; NaN when there are none. */
    static double of(long[] samples, double p) {
        if (samples.length == 0) {
            return Double.NaN;
        }
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double of(List<Long> samples, double p) {
        return of(samples.stream().mapToLong(Long::longValue).toArray(), p);
    }

    private static final Pattern BUCKET = Pattern.compile("^(\\w+)_bucket\\{([^}]*)}\\s+(\\S+)");
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    /**
     * The cumulative buckets (upper bound → count) of histogram {@code name} in a Prometheus text
     * exposition, summed over label sets other than {@code le}.
     */
    static NavigableMap<Double, Double> buckets(String exposition, String name) {
        NavigableMap<Double, Double> buckets = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            Matcher m = BUCKET.matcher(line);
            if (!m.find() || !m.group(1).equals(name)) {
                continue;
            }
            Matcher le = LE.matcher(m.group(2));
            if (!le.find()) {
                continue;
            }
            double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
            buckets.merge(bound, Double.parseDouble(m.group(3)), Double::sum);
        }
        return buckets;
    }

    /** after − before, bucket by bucket: the observations made between the two scrapes. */
    static NavigableMap<Double, Double> delta(Map<Double, Double> before, Map<Double, Double> after) {
        NavigableMap<Double, Double> delta = new TreeMap<>();
        after.forEach((bound, count) -> delta.put(bound, count - before.getOrDefault(bound, 0.0)));
        return delta;
    }

    /**
     * What Prometheus' {@code histogram_quantile(q, …)} computes: find the bucket holding rank
     * q·total and interpolate linearly inside it (from 0 for the first bucket). A rank in the +Inf
     * bucket answers the highest finite bound. NaN when the histogram is empty.
     */
    static double quantile(NavigableMap<Double, Double> cumulative, double q) {
        if (cumulative.isEmpty()) {
            return Double.NaN;
        }
        double total = cumulative.lastEntry().getValue();
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            double bound = bucket.getKey();
            double count = bucket.getValue();
            if (count >= rank) {
                if (Double.isInfinite(bound)) {
                    return lowerBound;
                }
                double inBucket = count - lowerCount;
                if (inBucket <= 0) {
                    return bound;
                }
                return lowerBound + (bound - lowerBound) * (rank - lowerCount) / inBucket;
            }
            lowerBound = bound;
            lowerCount = count;
        }
        return lowerBound;
    }
}
