package ledger.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service run as several instances ({@code LEDGER_COMMAND_URL=http://a,http://b}): merchants' requests are
 * spread over them, a killed instance is skipped without the merchant noticing, and the gateway stays healthy
 * while each service keeps one instance UP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class InstancesGatewayTest {

    static final StubBackend COMMAND_1 = StubBackend.start("command-1");

    static final StubBackend COMMAND_2 = StubBackend.start("command-2");

    static final StubBackend QUERY = StubBackend.start("query-service");

    static final StubBackend WEBHOOK = StubBackend.start("webhook-dispatcher");

    static final List<StubBackend> BACKENDS = List.of(COMMAND_1, COMMAND_2, QUERY, WEBHOOK);

    @DynamicPropertySource
    static void backends(DynamicPropertyRegistry registry) {
        registry.add("ledger.gateway.command-url", () -> COMMAND_1.url() + "," + COMMAND_2.url());
        registry.add("ledger.gateway.query-url", QUERY::url);
        registry.add("ledger.gateway.webhook-url", WEBHOOK::url);
        registry.add("management.server.port", () -> "0");
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    final HttpClient http = HttpClient.newHttpClient();

    final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void clear() {
        BACKENDS.forEach(stub -> stub.received().clear());
    }

    @AfterEach
    void restart() {
        COMMAND_1.stop();
        COMMAND_1.start();
    }

    @AfterAll
    static void shutdown() {
        BACKENDS.forEach(StubBackend::shutdown);
    }

    @Test
    void requestsAreSpreadOverTheInstances() throws Exception {
        List<String> answeredBy = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answeredBy.add(post("{\"n\":" + i + "}").headers().firstValue("X-Backend").orElseThrow());
        }

        assertThat(answeredBy).containsOnly("command-1", "command-2");
        assertThat(COMMAND_1.received()).hasSize(3);
        assertThat(COMMAND_2.received()).hasSize(3);
    }

    /** The refused attempt read nothing of the body, so the live instance gets all of it. */
    @Test
    void aKilledInstanceIsSkippedWithTheWholeRequest() throws Exception {
        COMMAND_1.stop();
        String body = "{\"amount\":\"10.00\",\"pad\":\"" + "x".repeat(100_000) + "\"}";

        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = post(body);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(this.json.readTree(response.body()).get("body").asText()).isEqualTo(body);
        }
        assertThat(COMMAND_2.received()).hasSize(4);
    }

    @Test
    void healthIsUpWhileOneInstanceIsAndDownWhenNoneIs() throws Exception {
        COMMAND_1.stop();
        JsonNode oneUp = health();
        assertThat(oneUp.get("status").asText()).isEqualTo("UP");
        JsonNode instances = oneUp.at("/components/backends/components/command-service/details/instances");
        assertThat(instances.get(0).get("status").asText()).isEqualTo("DOWN");
        assertThat(instances.get(0).get("error").asText()).startsWith("ConnectException");
        assertThat(instances.get(1).get("status").asText()).isEqualTo("UP");

        COMMAND_2.reportHealth("DOWN");
        try {
            assertThat(health().get("status").asText()).isEqualTo("DOWN");
            assertThat(post("{}").statusCode()).isEqualTo(200);
        }
        finally {
            COMMAND_2.reportHealth("UP");
        }
    }

    @Test
    void noInstanceAcceptingIsTheMerchantsRetryable503() throws Exception {
        COMMAND_1.stop();
        COMMAND_2.stop();
        try {
            HttpResponse<String> response = post("{}");
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(this.json.readTree(response.body()).get("code").asText()).isEqualTo("service_unavailable");
        }
        finally {
            COMMAND_2.start();
        }
    }

    private HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/v1/invoices"))
            .POST(BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .build(), BodyHandlers.ofString());
    }

    private JsonNode health() throws IOException, InterruptedException {
        return this.json.readTree(this.http.send(HttpRequest
            .newBuilder(URI.create("http://localhost:" + this.managementPort + "/actuator/health"))
            .build(), BodyHandlers.ofString()).body());
    }

}
