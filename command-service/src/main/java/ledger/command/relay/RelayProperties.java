package ledger.command.relay;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param maxLag how long an appended event may wait for the relay before command-service reports DOWN:
 *               the event store still accepts writes, but nothing downstream sees them
 */
@ConfigurationProperties("ledger.relay")
record RelayProperties(@DefaultValue("30s") Duration maxLag) {
}
