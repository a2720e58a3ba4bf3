package ledger.local.replay;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/**
 * One answer of {@code GET /admin/v1/projections/invoices/rebuild/{id}}, with what the terminal bar
 * shows. {@code totalEvents} is null until the rebuild counted its snapshot.
 */
public record RebuildProgress(String id, String state, String phase, Long totalEvents, long processedEvents,
                              double percent, long eventsPerSecond, long elapsedMs, String error) {

    public static RebuildProgress parse(JsonNode json) {
        JsonNode total = json.path("total_events");
        JsonNode error = json.path("error");
        return new RebuildProgress(json.path("id").asText(""), json.path("state").asText(""),
                json.path("phase").asText(""), total.isNumber() ? total.asLong() : null,
                json.path("processed_events").asLong(0), json.path("percent").asDouble(0),
                json.path("events_per_second").asLong(0), json.path("elapsed_ms").asLong(0),
                error.isTextual() ? error.asText() : null);
    }

    public boolean finished() {
        return !"running".equals(state) && !"stalled".equals(state);
    }

    public boolean completed() {
        return "completed".equals(state);
    }

    /** Seconds left at the average rate so far; -1 when it cannot be told yet. */
    public long etaSeconds() {
        if (totalEvents == null || eventsPerSecond <= 0) {
            return -1;
        }
        long left = Math.max(0, totalEvents - processedEvents);
        return (left + eventsPerSecond - 1) / eventsPerSecond;
    }

    /** {@code [#########.........]  45.0%  12,345 ev/s  ETA 0:42  replaying} in {@code width} cells. */
    public String bar(int width) {
        int cells = Math.max(1, width);
        double clamped = Math.max(0, Math.min(100, percent));
        int filled = (int) Math.floor(cells * clamped / 100.0);
        StringBuilder line = new StringBuilder(cells + 60).append('[');
        line.append("#".repeat(filled)).append(".".repeat(cells - filled)).append(']');
        line.append(String.format(Locale.ROOT, " %5.1f%%  %,d ev/s  ETA %s  %s", clamped, eventsPerSecond,
                eta(etaSeconds()), phase));
        return line.toString();
    }

    static String eta(long seconds) {
        if (seconds < 0) {
            return "--:--";
        }
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }
}
