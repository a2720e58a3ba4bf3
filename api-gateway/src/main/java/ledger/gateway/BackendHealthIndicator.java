package ledger.gateway;

import java.net.URI;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.UriComponentsBuilder;

/** UP only when the backend's own {@code /actuator/health} answers {@code {"status":"UP"}}. */
class BackendHealthIndicator implements HealthIndicator {

    private final RestClient client;

    private final URI healthUrl;

    BackendHealthIndicator(RestClient client, URI backendUrl) {
        this.client = client;
        this.healthUrl = UriComponentsBuilder.fromUri(backendUrl).path("/actuator/health").build().toUri();
    }

    @Override
    public Health health() {
        try {
            return this.client.get().uri(this.healthUrl).exchange((request, response) -> {
                BackendStatus reported = response.bodyTo(BackendStatus.class);
                String status = (reported != null) ? reported.status() : null;
                Health.Builder health = (response.getStatusCode().is2xxSuccessful() && "UP".equals(status))
                        ? Health.up() : Health.down();
                return health.withDetail("url", this.healthUrl.toString())
                    .withDetail("http_status", response.getStatusCode().value())
                    .withDetail("reported_status", String.valueOf(status))
                    .build();
            });
        }
        // Refused, timed out, or not JSON at all: all mean the backend cannot serve. The cause names
        // what happened (ConnectException, HttpTimeoutException); the wrapper only repeats the URL.
        catch (RuntimeException ex) {
            Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
            String error = cause.getClass().getSimpleName()
                    + ((cause.getMessage() != null) ? ": " + cause.getMessage() : "");
            return Health.down().withDetail("url", this.healthUrl.toString()).withDetail("error", error).build();
        }
    }

    private record BackendStatus(String status) {
    }

}
