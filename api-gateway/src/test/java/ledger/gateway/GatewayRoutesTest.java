package ledger.gateway;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.ByteArrayResource;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;

/** The route table comes from the API document; a document that would expose a backend's internals is refused. */
class GatewayRoutesTest {

    static final GatewayProperties PROPERTIES = new GatewayProperties(List.of(URI.create("http://localhost:1")),
            List.of(URI.create("http://localhost:2")), List.of(URI.create("http://localhost:3")), Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(1), 1);

    @Test
    void aDocumentedActuatorPathIsNeverProxied() {
        assertThatThrownBy(() -> routes("/actuator/prometheus", "query-service"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("/actuator/prometheus");
    }

    @Test
    void anOperationForAnUnknownServiceStopsTheGateway() {
        assertThatThrownBy(() -> routes("/v1/refunds", "refund-service"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("refund-service");
    }

    private static void routes(String path, String service) {
        String document = """
                {"openapi": "3.1.0", "paths": {"%s": {"get": {"x-ledger-service": "%s"}}}}
                """.formatted(path, service);
        ApiDescription description = new ApiDescription(
                new ByteArrayResource(document.getBytes(StandardCharsets.UTF_8)), new ObjectMapper());
        new GatewayRoutes().ledgerRoutes(PROPERTIES, description, mock(PublicHealth.class));
    }

}
