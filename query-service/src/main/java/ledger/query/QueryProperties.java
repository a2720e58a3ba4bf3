package ledger.query;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * query-service settings ({@code ledger.query.*}).
 *
 * @param consumers             Kafka consumer threads of the projection (partitions beyond are shared)
 * @param readYourWritesTimeout longest a read carrying {@code Ledger-Version} waits for the projection
 * @param exportFetchSize       rows per database round trip when streaming an export
 */
@ConfigurationProperties("ledger.query")
public record QueryProperties(@DefaultValue("2") int consumers,
                              @DefaultValue("2s") Duration readYourWritesTimeout,
                              @DefaultValue("2000") int exportFetchSize) {
}
