package ledger.gateway;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * One service: UP while at least one of its instances' own {@code /actuator/health} answers
 * {@code {"status":"UP"}} — the gateway sends requests only where a connection is accepted, so one live
 * instance serves every merchant. Each instance's probe is listed under {@code instances}.
 */
class BackendHealthIndicator implements HealthIndicator {

    private final RestClient client;

    private final List<URI> healthUrls;

    BackendHealthIndicator(RestClient client, List<URI> instanceUrls) {
        this.client = client;
        this.healthUrls = instanceUrls.stream()
            .map(url -> UriComponentsBuilder.fromUri(url).path("/actuator/health").build().toUri())
            .toList();
    }

    @Override
    public Health health() {
        List<Map<String, Object>> instances = new ArrayList<>();
        boolean anyUp = false;
        for (URI healthUrl : this.healthUrls) {
            Map<String, Object> probe = probe(healthUrl);
            anyUp |= Status.UP.getCode().equals(probe.get("status"));
            instances.add(probe);
        }
        return (anyUp ? Health.up() : Health.down()).withDetail("instances", instances).build();
    }

    private Map<String, Object> probe(URI healthUrl) {
        Map<String, Object> probe = new LinkedHashMap<>();
        probe.put("url", healthUrl.toString());
        try {
            this.client.get().uri(healthUrl).exchange((request, response) -> {
                BackendStatus reported = response.bodyTo(BackendStatus.class);
                String status = (reported != null) ? reported.status() : null;
                boolean up = response.getStatusCode().is2xxSuccessful() && "UP".equals(status);
                probe.put("status", (up ? Status.UP : Status.DOWN).getCode());
                probe.put("http_status", response.getStatusCode().value());
                probe.put("reported_status", String.valueOf(status));
                return null;
            });
        }
        // Refused, timed out, or not JSON at all: all mean the instance cannot serve. The cause names
        // what happened (ConnectException, HttpTimeoutException); the wrapper only repeats the URL.
        catch (RuntimeException ex) {
            Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
            probe.put("status", Status.DOWN.getCode());
            probe.put("error", cause.getClass().getSimpleName()
                    + ((cause.getMessage() != null) ? ": " + cause.getMessage() : ""));
        }
        return probe;
    }

    private record BackendStatus(String status) {
    }

}
