package ledger.command.relay;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Reads the relay processor's status and the event store's next unrelayed event. */
@Component
class AxonRelayProgress implements RelayProgress {

    private final EventProcessingConfiguration processing;
    private final JdbcTemplate jdbc;

    AxonRelayProgress(EventProcessingConfiguration processing, JdbcTemplate jdbc) {
        this.processing = processing;
        this.jdbc = jdbc;
    }

    @Override
    public State read() {
        var processor = processing.eventProcessor(KafkaRelay.GROUP, StreamingEventProcessor.class).orElse(null);
        if (processor == null || !processor.isRunning()) {
            return new State(false, false, null, null);
        }
        Map<Integer, EventTrackerStatus> segments = processor.processingStatus();
        if (segments.isEmpty()) {
            return new State(true, false, null, null);
        }
        Throwable error = null;
        long position = Long.MAX_VALUE;
        for (var status : segments.values()) {
            if (status.isErrorState() && error == null) {
                error = status.getError();
            }
            OptionalLong current = status.getCurrentPosition();
            position = Math.min(position, current.orElse(-1));
        }
        // The token's position is the global index of the last event the broker acknowledged.
        String appended = jdbc.query("""
                SELECT time_stamp FROM domain_event_entry WHERE global_index > ? ORDER BY global_index LIMIT 1""",
                rs -> rs.next() ? rs.getString(1) : null, position);
        return new State(true, true, error, appended == null ? null : Instant.parse(appended));
    }
}
