package ledger.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the backends live and how long the gateway waits for them.
 *
 * @param commandUrl every instance of command-service ({@code LEDGER_COMMAND_URL=http://a,http://b});
 *     likewise {@code queryUrl} and {@code webhookUrl}
 * @param readTimeout longest silence between two reads from a backend, not a cap on the whole
 *     exchange: an export may stream for minutes as long as bytes keep coming
 * @param healthTimeout whole-exchange cap on each backend health probe
 * @param maxConnectionsPerBackend pooled connections per backend instance; matches Tomcat's default 200
 *     worker threads so the pool never becomes the bottleneck
 */
@ConfigurationProperties("ledger.gateway")
record GatewayProperties(List<URI> commandUrl, List<URI> queryUrl, List<URI> webhookUrl, Duration connectTimeout,
        Duration readTimeout, Duration healthTimeout, int maxConnectionsPerBackend) {

    GatewayProperties {
        commandUrl = instances("command-url", commandUrl);
        queryUrl = instances("query-url", queryUrl);
        webhookUrl = instances("webhook-url", webhookUrl);
    }

    /** Each service's instances by the name the API document's {@code x-ledger-service} uses. */
    Map<String, List<URI>> backends() {
        Map<String, List<URI>> backends = new LinkedHashMap<>();
        backends.put("command-service", this.commandUrl);
        backends.put("query-service", this.queryUrl);
        backends.put("webhook-dispatcher", this.webhookUrl);
        return backends;
    }

    int instanceCount() {
        return backends().values().stream().mapToInt(List::size).sum();
    }

    private static List<URI> instances(String property, List<URI> urls) {
        if (urls == null || urls.isEmpty()) {
            throw new IllegalArgumentException("ledger.gateway." + property + " names no instance");
        }
        return List.copyOf(urls);
    }

}
