package ledger.gateway;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the backends live and how long the gateway waits for them.
 *
 * @param readTimeout longest silence between two reads from a backend, not a cap on the whole
 *     exchange: an export may stream for minutes as long as bytes keep coming
 * @param healthTimeout whole-exchange cap on each backend health probe
 * @param maxConnectionsPerBackend pooled connections per backend; matches Tomcat's default 200
 *     worker threads so the pool never becomes the bottleneck
 */
@ConfigurationProperties("ledger.gateway")
record GatewayProperties(URI commandUrl, URI queryUrl, URI webhookUrl, Duration connectTimeout,
        Duration readTimeout, Duration healthTimeout, int maxConnectionsPerBackend) {
}
