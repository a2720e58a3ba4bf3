package ledger.local.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Where the webhooks of a paced window spent their time before the receiver had them, read from the
 * dispatcher's own tables once the window settled: from each event until the dispatcher's inbox recorded it
 * (the relay, Kafka and the consumer's transaction), and until the first attempt of its delivery started (the
 * delivery planned, claimed, queued in its lane and sent). An attempt is recorded by the dispatcher's round after
 * it, a moment after the receiver had it; a window ends 3 s after its last webhook. With the receiver's arrival
 * (the window's webhook latency) these say which part a late webhook waited in: a window whose webhooks all came
 * a minute late (twice, with C2 in every JVM) would show whether Kafka, the claim or the request held them.
 */
record WebhookStages(int deliveries, double inboxP50Ms, double inboxP99Ms, double firstAttemptP50Ms,
                     double firstAttemptP99Ms) {

    /** Times in ms after the event; the attempts are grouped first, as their table has no index by delivery. */
    static final String QUERY = """
            WITH first AS (
                SELECT delivery_id, min(attempted_at) AS at FROM webhook.delivery_attempt
                WHERE attempted_at >= ? GROUP BY delivery_id),
            w AS (
                SELECT extract(epoch FROM i.received_at - e.occurred_at) * 1000 AS inbox,
                       extract(epoch FROM f.at - e.occurred_at) * 1000 AS attempt
                FROM webhook.webhook_event e
                JOIN webhook.event_inbox i ON i.event_id = e.event_id
                JOIN webhook.delivery d ON d.event_id = e.event_id
                JOIN first f ON f.delivery_id = d.id
                WHERE e.occurred_at BETWEEN ? AND ?)
            SELECT count(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY inbox), percentile_cont(0.99) WITHIN GROUP (ORDER BY inbox),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY attempt), percentile_cont(0.99) WITHIN GROUP (ORDER BY attempt)
            FROM w""";

    /** The deliveries of the events that occurred from {@code fromMillis} to {@code toMillis} (epoch ms). */
    static WebhookStages read(Connection connection, long fromMillis, long toMillis) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(QUERY)) {
            query.setObject(1, utc(fromMillis));
            query.setObject(2, utc(fromMillis));
            query.setObject(3, utc(toMillis));
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return new WebhookStages(rs.getInt(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getDouble(5));
            }
        }
    }

    private static OffsetDateTime utc(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    /** p50 and p99 of both stages, each key prefixed as the window's other figures are. */
    void putInto(BenchResults results, String prefix) {
        results.put(prefix + "webhook_inbox_p50_ms", inboxP50Ms)
                .put(prefix + "webhook_inbox_p99_ms", inboxP99Ms)
                .put(prefix + "webhook_first_attempt_p50_ms", firstAttemptP50Ms)
                .put(prefix + "webhook_first_attempt_p99_ms", firstAttemptP99Ms);
    }

    @Override
    public String toString() {
        return String.format("%,d deliveries, after their event (p50 / p99 ms): in the dispatcher's inbox %.0f / %.0f,"
                + " first attempt started %.0f / %.0f", deliveries, inboxP50Ms, inboxP99Ms, firstAttemptP50Ms,
                firstAttemptP99Ms);
    }
}
