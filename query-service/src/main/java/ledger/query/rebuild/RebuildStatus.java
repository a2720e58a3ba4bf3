package ledger.query.rebuild;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * A rebuild's progress as {@code GET /admin/v1/projections/invoices/rebuild} shows it.
 * {@code events_per_second} is the average since the start (until the finish once it finished);
 * {@code percent} counts replayed events against the snapshot's total. A running rebuild whose
 * heartbeat stopped (its instance went away) shows as {@code stalled}.
 */
public record RebuildStatus(String id, String object, String projection, String state, String phase,
                            Long totalEvents, long processedEvents, double percent, long eventsPerSecond,
                            long elapsedMs, Integer maxEventsPerSecond, Instant startedAt, Instant heartbeatAt,
                            Instant finishedAt, String error) {

    static final String COLUMNS = "id, projection, state, phase, total_events, processed_events, max_events_per_second,"
            + " started_at, heartbeat_at, finished_at, error";

    static RebuildStatus read(ResultSet rs, Instant now) throws SQLException {
        long total = rs.getLong(5);
        Long totalEvents = rs.wasNull() ? null : total;
        long processed = rs.getLong(6);
        int max = rs.getInt(7);
        Integer maxRate = rs.wasNull() ? null : max;
        Instant started = rs.getObject(8, OffsetDateTime.class).toInstant();
        Instant heartbeat = rs.getObject(9, OffsetDateTime.class).toInstant();
        OffsetDateTime finishedAt = rs.getObject(10, OffsetDateTime.class);
        Instant finished = finishedAt == null ? null : finishedAt.toInstant();
        String state = rs.getString(3);
        if ("running".equals(state) && heartbeat.isBefore(now.minus(ProjectionRebuilder.ABANDONED_AFTER))) {
            state = "stalled"; // its instance stopped; the next start takes it over
        }
        long elapsedMs = Math.max(0, Duration.between(started, finished != null ? finished : now).toMillis());
        double percent;
        if ("completed".equals(state)) {
            percent = 100.0;
        } else if (totalEvents == null || totalEvents == 0) {
            percent = 0.0;
        } else {
            percent = Math.floor(1000.0 * processed / totalEvents) / 10.0;
        }
        long rate = elapsedMs == 0 ? 0 : processed * 1000 / elapsedMs;
        return new RebuildStatus(rs.getString(1), "projection_rebuild", rs.getString(2), state, rs.getString(4),
                totalEvents, processed, percent, rate, elapsedMs, maxRate, started, heartbeat, finished,
                rs.getString(11));
    }
}
