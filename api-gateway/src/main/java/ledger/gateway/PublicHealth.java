package ledger.gateway;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.HttpCodeStatusMapper;
import org.springframework.boot.actuate.health.Status;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * {@code GET /actuator/health} on the public port: the gateway's overall status and nothing else
 * (SPEC §7) — backend URLs, disk paths and versions are for operators, on the management port with the
 * rest of the actuator. UP is a 200; anything else the status mapper's code (DOWN is a 503), so a load
 * balancer or {@code ./ledger up} can wait on it.
 */
@Component
class PublicHealth {

    static final String PATH = "/actuator/health";

    private final HealthEndpoint health;

    private final HttpCodeStatusMapper statusCodes;

    private final ObjectMapper json;

    PublicHealth(HealthEndpoint health, HttpCodeStatusMapper statusCodes, ObjectMapper json) {
        this.health = health;
        this.statusCodes = statusCodes;
        this.json = json;
    }

    ServerResponse serve(ServerRequest request) throws JsonProcessingException {
        Status status = this.health.health().getStatus();
        // Text with an explicit type, like the gateway's errors: no Accept header can turn it into a 406.
        return ServerResponse.status(this.statusCodes.getStatusCode(status))
            .contentType(MediaType.APPLICATION_JSON)
            .body(this.json.writeValueAsString(Map.of("status", status.getCode())));
    }

}
