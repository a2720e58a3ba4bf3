package ledger.local.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The figures of one run, as an aligned table with targets and as the JSON of {@code target/bench/results.json}. */
final class BenchResults {

    /** A goal for a figure: at least or at most {@code bound}. */
    record Target(boolean atLeast, double bound, String text) {
        static Target atLeast(double bound, String text) {
            return new Target(true, bound, text);
        }

        static Target below(double bound, String text) {
            return new Target(false, bound, text);
        }

        boolean met(double value) {
            if (Double.isNaN(value)) {
                return false;
            }
            return atLeast ? value >= bound : value <= bound;
        }
    }

    private final Map<String, Double> figures = new LinkedHashMap<>();
    private final Map<String, Target> targets = new LinkedHashMap<>();
    private final Map<String, Map<String, Double>> groups = new LinkedHashMap<>();
    private final Map<String, Double> heapMb = new LinkedHashMap<>();
    private final Map<String, String> notes = new LinkedHashMap<>();

    BenchResults put(String key, double value) {
        figures.put(key, value);
        return this;
    }

    /** A figure with its target; a null target is none (as {@link #put(String, double)}). */
    BenchResults put(String key, double value, Target target) {
        figures.put(key, value);
        if (target != null) {
            targets.put(key, target);
        }
        return this;
    }

    /** A figure per member of {@code group}: an object {@code group} in the JSON, rows {@code group.member} in the table. */
    BenchResults putIn(String group, String member, double value) {
        groups.computeIfAbsent(group, g -> new LinkedHashMap<>()).put(member, value);
        return this;
    }

    BenchResults heap(String service, double megabytes) {
        heapMb.put(service, megabytes);
        return this;
    }

    BenchResults note(String key, String text) {
        notes.put(key, text);
        return this;
    }

    Double figure(String key) {
        return figures.get(key);
    }

    static final Target HEAP_TARGET = Target.below(256, "< 256 MB");

    String json() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        figures.forEach((key, value) -> putNumber(root, key, value));
        groups.forEach((group, members) -> {
            ObjectNode node = root.putObject(group);
            members.forEach((member, value) -> putNumber(node, member, value));
        });
        ObjectNode heap = root.putObject("max_heap_mb_per_service");
        heapMb.forEach((service, mb) -> heap.put(service, round(mb)));
        ObjectNode met = root.putObject("targets_met");
        targets.forEach((key, target) -> met.put(key, target.met(figures.get(key))));
        heapMb.forEach((service, mb) -> met.put("heap_" + service, HEAP_TARGET.met(mb)));
        ObjectNode noteNode = root.putObject("notes");
        notes.forEach(noteNode::put);
        try {
            return mapper.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putNumber(ObjectNode node, String key, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            node.putNull(key);
        } else {
            node.put(key, round(value));
        }
    }

    /** Markdown table: figure, value, target, met. */
    String table() {
        StringBuilder out = new StringBuilder("| figure | value | target | met |\n|---|---:|---|---|\n");
        figures.forEach((key, value) -> {
            Target target = targets.get(key);
            out.append("| ").append(key).append(" | ").append(format(value)).append(" | ")
                    .append(target == null ? "" : target.text()).append(" | ")
                    .append(target == null ? "" : target.met(value) ? "yes" : "**no**").append(" |\n");
        });
        groups.forEach((group, members) -> members.forEach((member, value) -> out.append("| ").append(group)
                .append('.').append(member).append(" | ").append(format(value)).append(" |  |  |\n")));
        heapMb.forEach((service, mb) -> out.append("| max_heap_mb_per_service.").append(service).append(" | ")
                .append(format(mb)).append(" | ").append(HEAP_TARGET.text()).append(" | ")
                .append(HEAP_TARGET.met(mb) ? "yes" : "**no**").append(" |\n"));
        return out.toString();
    }

    private static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }

    static String format(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        if (Math.abs(value) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
