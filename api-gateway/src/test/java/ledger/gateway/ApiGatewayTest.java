package ledger.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ledger.testsupport.OpenApiDocument;
import ledger.testsupport.OpenApiDocument.Operation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway against three stub backends, in one Spring context: routing by path and method,
 * pass-through of requests and responses, request ids, the gateway's own errors, health, and the
 * API document.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Tests switch metrics export off unless asked; /actuator/prometheus is part of the contract.
@AutoConfigureObservability(tracing = false)
class ApiGatewayTest {

    static final StubBackend COMMAND = StubBackend.start("command-service");

    static final StubBackend QUERY = StubBackend.start("query-service");

    static final StubBackend WEBHOOK = StubBackend.start("webhook-dispatcher");

    static final List<StubBackend> BACKENDS = List.of(COMMAND, QUERY, WEBHOOK);

    // Opened by the tests that hold a stub response back; always opened again in a finally.
    static volatile CountDownLatch release = new CountDownLatch(0);

    static final byte[] EXPORT_HEAD = "{\"id\":\"evt_0000000000\",\"type\":\"invoice.created\"}\n".repeat(2000)
        .getBytes(StandardCharsets.UTF_8);

    static {
        // Sends a first part, then waits until the test saw that part arrive through the gateway.
        QUERY.on("/v1/exports/events", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(EXPORT_HEAD);
                out.flush();
                await(release);
                out.write("{\"id\":\"evt_last\"}\n".getBytes(StandardCharsets.UTF_8));
            }
        });
        // Never answers within the gateway's read timeout.
        QUERY.on("/v1/events/evt_slow", exchange -> {
            await(release);
            StubBackend.send(exchange, 200, new byte[0]);
        });
    }

    @DynamicPropertySource
    static void backends(DynamicPropertyRegistry registry) {
        registry.add("ledger.gateway.command-url", COMMAND::url);
        registry.add("ledger.gateway.query-url", QUERY::url);
        registry.add("ledger.gateway.webhook-url", WEBHOOK::url);
        registry.add("ledger.gateway.read-timeout", () -> "1s");
        registry.add("management.server.port", () -> "0");
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    final HttpClient http = HttpClient.newHttpClient();

    final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void resetStubs() {
        BACKENDS.forEach(stub -> {
            stub.received().clear();
            stub.reportHealth("UP");
        });
    }

    @AfterAll
    static void stopStubs() {
        release.countDown();
        BACKENDS.forEach(StubBackend::shutdown);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "POST,   /v1/invoices,                                              command-service",
            "POST,   /v1/invoices/inv_1/payments,                               command-service",
            "POST,   /v1/invoices/inv_1/cancel,                                 command-service",
            "POST,   /admin/v1/stores,                                          command-service",
            "POST,   /admin/v1/stores/st_1/api_keys,                            command-service",
            "DELETE, /admin/v1/stores/st_1/api_keys/key_1,                      command-service",
            "GET,    /v1/invoices?limit=5&status=open,                          query-service",
            "GET,    /v1/invoices?created%5Bgte%5D=2024-01-01T00:00:00Z&flag,   query-service",
            "GET,    /v1/invoices/inv_1?as_of=2024-01-31T10:00:00%2B02:00,      query-service",
            "GET,    /v1/invoices/inv_1/status,                                 query-service",
            "GET,    /v1/invoices/inv_1/events,                                 query-service",
            "GET,    /v1/events?type=invoice.paid&limit=100,                    query-service",
            "GET,    /v1/events/evt_1,                                          query-service",
            "GET,    /v1/reports/balances?as_of=2024-01-31T00:00:00Z&currency=USD, query-service",
            "GET,    /v1/reports/aging,                                         query-service",
            "POST,   /admin/v1/projections/invoices/rebuild,                    query-service",
            "GET,    /admin/v1/projections/invoices/rebuild/rb_1,               query-service",
            "POST,   /v1/webhook_endpoints,                                     webhook-dispatcher",
            "GET,    /v1/webhook_endpoints?limit=3,                             webhook-dispatcher",
            "GET,    /v1/webhook_endpoints/we_1,                                webhook-dispatcher",
            "PATCH,  /v1/webhook_endpoints/we_1,                                webhook-dispatcher",
            "DELETE, /v1/webhook_endpoints/we_1,                                webhook-dispatcher",
            "POST,   /v1/webhook_endpoints/we_1/rotate_secret,                  webhook-dispatcher",
            "GET,    /v1/webhook_endpoints/we_1/deliveries,                     webhook-dispatcher",
            "POST,   /v1/events/evt_1/redeliver,                                webhook-dispatcher" })
    void routesByPathAndMethodPassingRequestAndResponseThrough(String method, String pathAndQuery,
            String backend) throws Exception {
        String body = method.equals("GET") || method.equals("DELETE") ? "" : "{\"amount\":\"100.00\",\"currency\":\"USD\"}";

        HttpResponse<String> response = send(method, pathAndQuery, body, "Authorization", "Bearer sk_test_123",
                "Idempotency-Key", "key-" + method + pathAndQuery, "Ledger-Version", "2024-06-01", "X-Custom",
                "a;b=c", "X-Stub-Status", "201", "X-Request-Id", "req_ClientSupplied42");

        StubBackend target = stub(backend);
        StubBackend.Received received = target.received().poll();
        assertThat(received).as("request reached " + backend).isNotNull();
        assertThat(received.method()).isEqualTo(method);
        URI sent = URI.create(pathAndQuery);
        assertThat(received.rawPath()).isEqualTo(sent.getRawPath());
        assertThat(received.rawQuery()).isEqualTo(sent.getRawQuery());
        assertThat(received.body()).isEqualTo(body);
        assertThat(received.headers().get("Authorization")).containsExactly("Bearer sk_test_123");
        assertThat(received.headers().get("Idempotency-Key")).containsExactly("key-" + method + pathAndQuery);
        assertThat(received.headers().get("Ledger-Version")).containsExactly("2024-06-01");
        assertThat(received.headers().get("X-Custom")).containsExactly("a;b=c");
        assertThat(received.headers().get("X-Request-Id")).containsExactly("req_ClientSupplied42");
        assertThat(received.headers().getFirst("Host")).isEqualTo("localhost:" + this.port);
        BACKENDS.stream()
            .filter(other -> other != target)
            .forEach(other -> assertThat(other.received()).as(other.name() + " untouched").isEmpty());

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().allValues("Location")).containsExactly("/v1/things/thing_1");
        assertThat(response.headers().allValues("Ledger-Version")).containsExactly("2024-06-01");
        assertThat(response.headers().allValues("Idempotent-Replayed")).containsExactly("true");
        assertThat(response.headers().allValues("Retry-After")).containsExactly("7");
        assertThat(response.headers().allValues("X-Request-Id")).containsExactly("req_ClientSupplied42");
        assertThat(response.headers().allValues("X-Backend")).containsExactly(backend);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode echo = this.json.readTree(response.body());
        assertThat(echo.get("backend").asText()).isEqualTo(backend);
        assertThat(echo.get("body").asText()).isEqualTo(body);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "GET,  /checkout/ck_1,                                 query-service",
            "GET,  /checkout/ck_1?error=invoice_not_payable,       query-service",
            "GET,  /checkout/ck_1/status,                          query-service",
            "GET,  /checkout/ck_1/invoice.pdf,                     query-service",
            "GET,  /checkout/ck_1/receipt.pdf,                     query-service",
            "GET,  /checkout/assets/checkout.js,                   query-service",
            "POST, /checkout/ck_1/payments,                        command-service" })
    void theHostedInvoicePageIsRoutedThoughNotInTheApiDocument(String method, String pathAndQuery, String backend)
            throws Exception {
        HttpResponse<String> response = send(method, pathAndQuery, "");

        assertThat(response.headers().firstValue("X-Backend")).hasValue(backend);
        StubBackend.Received received = stub(backend).received().poll();
        assertThat(received).isNotNull();
        assertThat(received.method()).isEqualTo(method);
        assertThat(received.rawPath() + (received.rawQuery() == null ? "" : "?" + received.rawQuery()))
            .isEqualTo(pathAndQuery);
        assertThat(received.headers().get("Authorization")).isNull();
    }

    /** command-service refuses a post from another site by these headers, so they must arrive as sent. */
    @Test
    void theSimulateFormArrivesWithItsBodyAndTheHeadersItsOriginCheckReads() throws Exception {
        String form = "amount=40.00&reference=sim_AAAAAAAAAAAAAAAAAAAAAA";
        HttpResponse<String> response = this.http.send(HttpRequest
            .newBuilder(URI.create("http://localhost:" + this.port + "/checkout/ck_1/payments"))
            .POST(BodyPublishers.ofString(form))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "text/html")
            .header("Origin", "https://pay.example.com")
            .header("Sec-Fetch-Site", "same-origin")
            .header("X-Forwarded-Proto", "https")
            .header("X-Forwarded-Host", "pay.example.com")
            .header("X-Stub-Status", "303")
            .build(), BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(303);
        StubBackend.Received received = COMMAND.received().poll();
        assertThat(received).isNotNull();
        assertThat(received.body()).isEqualTo(form);
        assertThat(received.headers().getFirst("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(received.headers().getFirst("Origin")).isEqualTo("https://pay.example.com");
        assertThat(received.headers().getFirst("Sec-Fetch-Site")).isEqualTo("same-origin");
        assertThat(received.headers().getFirst("Host")).isEqualTo("localhost:" + this.port);
        assertThat(received.headers().getFirst("X-Forwarded-Proto")).startsWith("https");
        assertThat(received.headers().getFirst("X-Forwarded-Host")).startsWith("pay.example.com");
    }

    @Test
    void readsAndCommandsOnTheSameInvoiceGoToDifferentBackends() throws Exception {
        assertThat(send("GET", "/v1/invoices/x", "").headers().firstValue("X-Backend")).hasValue("query-service");
        assertThat(send("POST", "/v1/invoices/x/cancel", "").headers().firstValue("X-Backend"))
            .hasValue("command-service");
        assertThat(send("POST", "/v1/events/evt_1/redeliver", "").headers().firstValue("X-Backend"))
            .hasValue("webhook-dispatcher");
        assertThat(send("GET", "/v1/events/evt_1", "").headers().firstValue("X-Backend")).hasValue("query-service");
    }

    @Test
    void backendErrorStatusesPassThroughUnchanged() throws Exception {
        HttpResponse<String> response = send("POST", "/v1/invoices", "{}", "X-Stub-Status", "429");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().allValues("Retry-After")).containsExactly("7");
        assertThat(COMMAND.received()).hasSize(1);
    }

    @Test
    void generatesARequestIdAndForwardsIt() throws Exception {
        HttpResponse<String> response = send("GET", "/v1/invoices", "");

        List<String> ids = response.headers().allValues("X-Request-Id");
        assertThat(ids).hasSize(1);
        assertThat(ids.get(0)).matches("req_[0-9A-Za-z]{24}");
        assertThat(QUERY.received().poll().headers().get("X-Request-Id")).containsExactly(ids.get(0));
        assertThat(send("GET", "/v1/invoices", "").headers().firstValue("X-Request-Id")).isNotEqualTo(ids.get(0));
    }

    @Test
    void replacesAMalformedRequestIdLikeTheServicesWould() throws Exception {
        HttpResponse<String> response = send("GET", "/v1/invoices", "", "X-Request-Id", "my id; drop table");

        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).matches("req_[0-9A-Za-z]{24}");
        assertThat(QUERY.received().poll().headers().get("X-Request-Id")).containsExactly(id);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({ "GET, /v1/nope", "GET, /", "GET, /v1/invoices/inv_1/pay", "GET, /admin/v1/stores/st_1/settings",
            "GET, /v1/invoicesX", "GET, /actuator/env", "GET, /actuator/prometheus", "GET, /actuator/info",
            "POST, /actuator/health", "GET, /v1/invoices/inv_1/actuator/health", "GET, /error" })
    void unroutedRequestsGetTheHouse404(String method, String path) throws Exception {
        HttpResponse<String> response = send(method, path, "");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = this.json.readTree(response.body());
        assertThat(error.get("code").asText()).isEqualTo("resource_missing");
        assertThat(error.get("error").asText()).contains(path);
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("details").isArray()).isTrue();
        assertThat(error.get("details")).isEmpty();
        assertThat(error.get("request_id").asText()).matches("req_[0-9A-Za-z]{24}")
            .isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
        BACKENDS.forEach(stub -> assertThat(stub.received()).isEmpty());
    }

    @ParameterizedTest(name = "{0} {1} -> Allow: {2}")
    @CsvSource(delimiter = '|', value = { "DELETE | /v1/invoices/inv_1 | GET", "PUT | /v1/invoices | GET, POST",
            "GET | /v1/events/evt_1/redeliver | POST", "POST | /v1/reports/balances | GET",
            "OPTIONS | /v1/webhook_endpoints/we_1 | DELETE, GET, PATCH", "TRACE | /v1/invoices/inv_1 | GET",
            "PUT | /admin/v1/projections/invoices/rebuild | GET, POST", "POST | /openapi.json | GET",
            "PUT | /checkout/ck_1 | GET", "POST | /checkout/ck_1/status | GET",
            "DELETE | /checkout/ck_1/payments | GET, POST" })
    void aKnownPathWithAnotherMethodIsTheHouse405NamingTheMethodsItTakes(String method, String path, String allow)
            throws Exception {
        HttpResponse<String> response = send(method, path, "", "X-Request-Id", "req_mine");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().allValues("Allow")).containsExactly(allow);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = this.json.readTree(response.body());
        assertThat(error.get("code").asText()).isEqualTo("method_not_allowed");
        assertThat(error.get("error").asText()).contains(method, path);
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("details")).isEmpty();
        assertThat(error.get("request_id").asText()).isEqualTo("req_mine");
        assertThat(response.headers().allValues("X-Request-Id")).containsExactly("req_mine");
        BACKENDS.forEach(stub -> assertThat(stub.received()).isEmpty());
    }

    @Test
    void unencodedBracketsInTheQueryAreAcceptedAndForwardedEncoded() throws Exception {
        String response = rawGet("/v1/invoices?created[gte]=2024-01-01T00:00:00Z&limit=2");

        assertThat(response).startsWith("HTTP/1.1 200");
        // Encoded, because the backends' Tomcat would reject raw brackets; nothing else changes.
        assertThat(QUERY.received().poll().rawQuery()).isEqualTo("created%5Bgte%5D=2024-01-01T00:00:00Z&limit=2");
    }

    @Test
    void stoppedBackendGivesTheHouse503() throws Exception {
        WEBHOOK.stop();
        try {
            HttpResponse<String> response = send("POST", "/v1/webhook_endpoints", "{}", "X-Request-Id", "req_mine");

            assertUnavailable(response, "req_mine");
            assertThat(health(WEBHOOK)).isEqualTo("DOWN");
        }
        finally {
            WEBHOOK.start();
        }
        assertThat(send("GET", "/v1/webhook_endpoints", "").statusCode()).isEqualTo(200);
    }

    @Test
    void backendTooSlowToAnswerGivesTheHouse503() throws Exception {
        release = new CountDownLatch(1);
        try {
            assertUnavailable(send("GET", "/v1/events/evt_slow", ""), null);
        }
        finally {
            release.countDown();
        }
    }

    @Test
    void responsesAreStreamedNotBuffered() throws Exception {
        release = new CountDownLatch(1);
        try {
            HttpResponse<InputStream> response = this.http.send(request("GET", "/v1/exports/events?format=ndjson", "")
                .build(), BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
            try (InputStream body = response.body()) {
                // The backend has not finished yet: these bytes can only have been streamed.
                byte[] head = body.readNBytes(EXPORT_HEAD.length);
                assertThat(head).isEqualTo(EXPORT_HEAD);
                release.countDown();
                assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"evt_last\"}\n");
            }
        }
        finally {
            release.countDown();
        }
    }

    @Test
    void healthIsUpOnlyWhileEveryBackendIsUp() throws Exception {
        JsonNode up = healthJson();
        assertThat(up.get("status").asText()).isEqualTo("UP");
        for (StubBackend stub : BACKENDS) {
            JsonNode backend = up.at("/components/backends/components/" + stub.name());
            assertThat(backend.get("status").asText()).isEqualTo("UP");
            assertThat(backend.at("/details/instances/0/url").asText()).isEqualTo(stub.url() + "/actuator/health");
        }

        QUERY.reportHealth("DOWN");
        JsonNode down = healthJson();
        assertThat(down.get("status").asText()).isEqualTo("DOWN");
        assertThat(down.at("/components/backends/components/query-service/status").asText()).isEqualTo("DOWN");
        assertThat(down.at("/components/backends/components/query-service/details/instances/0/reported_status").asText())
            .isEqualTo("DOWN");
        assertThat(down.at("/components/backends/components/command-service/status").asText()).isEqualTo("UP");
    }

    /**
     * A backend that cannot do its work says so in its health — command-service goes DOWN while events cannot
     * reach Kafka — and the gateway's public health must then be a 503 (issue 10 §10), whatever the
     * backend's status is called and even if its HTTP status disagrees with it.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({ "503, DOWN", "503, OUT_OF_SERVICE", "200, UNKNOWN", "200, DOWN", "503, UP" })
    void publicHealthIsA503WhileABackendIsNotUp(int httpStatus, String status) throws Exception {
        COMMAND.reportHealth(status, httpStatus);

        HttpResponse<String> health = send("GET", "/actuator/health", "");

        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(this.json.readTree(health.body())).isEqualTo(this.json.readTree("{\"status\":\"DOWN\"}"));
        assertThat(healthJson().at("/components/backends/components/command-service/details/instances/0/reported_status")
            .asText()).isEqualTo(status);
    }

    @Test
    void healthIsDownWhileABackendIsStopped() throws Exception {
        COMMAND.stop();
        try {
            JsonNode down = healthJson();
            assertThat(down.get("status").asText()).isEqualTo("DOWN");
            assertThat(down.at("/components/backends/components/command-service/details/instances/0/error").asText())
                .startsWith("ConnectException");
        }
        finally {
            COMMAND.start();
        }
        assertThat(healthJson().get("status").asText()).isEqualTo("UP");
    }

    @Test
    void publicHealthSaysOnlyTheStatus() throws Exception {
        HttpResponse<String> up = send("GET", "/actuator/health", "", "Accept", "text/html");
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(this.json.readTree(up.body())).isEqualTo(this.json.readTree("{\"status\":\"UP\"}"));
        assertThat(up.body()).doesNotContain("127.0.0.1", "backends", "diskSpace");
    }

    @Test
    void metricsAndDetailsAreOnlyOnTheManagementPort() throws Exception {
        HttpResponse<String> prometheus = send(this.managementPort, "GET", "/actuator/prometheus", "");
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).contains("http_server_requests");
        assertThat(send(this.managementPort, "GET", "/actuator/info", "").statusCode()).isEqualTo(200);
        assertThat(healthJson().at("/components/backends/components")).hasSize(3);

        assertThat(send("GET", "/actuator/prometheus", "").statusCode()).isEqualTo(404);
        BACKENDS.forEach(stub -> assertThat(stub.received()).isEmpty());
    }

    /**
     * {@code GET /openapi.json}, and the route table against the document: every documented operation
     * reaches the service its {@code x-ledger-service} names — the service whose contract test holds its
     * handlers against that operation — so document, routes and handlers cannot drift apart unnoticed.
     */
    @Nested
    class TheApiDocument {

        static final Pattern VARIABLE = Pattern.compile("\\{([^}/]+)}");

        @Test
        void isServedAsOpenApi31WithoutCredentials() throws Exception {
            HttpResponse<byte[]> response = ApiGatewayTest.this.http.send(request("GET", "/openapi.json", "").build(),
                    BodyHandlers.ofByteArray());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            assertThat(response.headers().firstValue("X-Request-Id")).hasValueSatisfying(
                    id -> assertThat(id).matches("req_[0-9A-Za-z]{24}"));
            JsonNode document = ApiGatewayTest.this.json.readTree(response.body());
            assertThat(document.get("openapi").asText()).isEqualTo("3.1.0");
            assertThat(document.at("/servers/0/url").asText()).isEqualTo("http://localhost:8080");
            // The very file the services' contract tests read, byte for byte.
            assertThat(response.body()).isEqualTo(Files.readAllBytes(OpenApiDocument.load().file()));
            BACKENDS.forEach(stub -> assertThat(stub.received()).isEmpty());
        }

        @Test
        void isSound() {
            // Dangling $refs, schemas that do not compile, examples that contradict their schema, scopes
            // that disagree with the security requirement, responses without X-Request-Id.
            assertThat(OpenApiDocument.load().lint()).isEmpty();
        }

        @Test
        void routesOperationsToEveryService() {
            assertThat(OpenApiDocument.load().operations()).extracting(Operation::service)
                .contains("command-service", "query-service", "webhook-dispatcher", "api-gateway");
        }

        static Stream<Operation> documentedOperations() {
            return OpenApiDocument.load().operations().stream();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("documentedOperations")
        void everyDocumentedOperationReachesTheServiceItIsDocumentedFor(Operation operation) throws Exception {
            String path = concrete(operation.path(), "_1");

            HttpResponse<String> response = send(operation.method(), path, "");

            if (operation.service().equals("api-gateway")) {
                assertThat(response.statusCode()).isEqualTo(200);
                BACKENDS.forEach(stub -> assertThat(stub.received()).isEmpty());
                return;
            }
            assertThat(response.headers().firstValue("X-Backend")).as(operation.route()).hasValue(operation.service());
            StubBackend.Received received = stub(operation.service()).received().poll();
            assertThat(received).isNotNull();
            assertThat(received.method()).isEqualTo(operation.method());
            assertThat(received.rawPath()).isEqualTo(path);
        }

        /**
         * Every answer the gateway gives itself, for every documented operation, held against what the
         * document lists for that operation (status, headers, body, and so the error code): a wrong method,
         * a wildcard Content-Type, an unreadable path, an oversize query or credential, a backend down.
         */
        @Test
        void everyAnswerTheGatewayGivesItselfIsDocumentedForTheOperation() throws Exception {
            OpenApiDocument document = OpenApiDocument.load();
            List<String> problems = new ArrayList<>();
            List<Operation> proxied = new ArrayList<>();
            for (Operation operation : document.operations()) {
                String path = concrete(operation.path(), "_1");
                Set<String> allowed = document.operations().stream()
                    .filter(other -> OpenApiDocument.normalise(other.path()).equals(OpenApiDocument.normalise(operation.path())))
                    .map(Operation::method)
                    .collect(Collectors.toCollection(TreeSet::new));
                for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
                    if (!allowed.contains(method)) {
                        HttpResponse<String> response = send(method, path, "");
                        check(problems, operation, path, method + " instead", response, 405, "method_not_allowed");
                        if (!response.headers().allValues("Allow").equals(List.of(String.join(", ", allowed)))) {
                            problems.add(operation.route() + ": " + method + " got Allow "
                                    + response.headers().allValues("Allow") + ", the document says " + allowed);
                        }
                    }
                }
                if (operation.service().equals(GatewayRoutes.GATEWAY)) {
                    continue;
                }
                proxied.add(operation);
                check(problems, operation, path, "Content-Type */*", send(operation.method(), path, "",
                        "Content-Type", "*/*"), 415, "unsupported_media_type");
                String longQuery = path + "?q=" + "a".repeat(20_000);
                check(problems, operation, longQuery, "a 20,000-character query",
                        send(operation.method(), longQuery, ""), 400, "invalid_request");
                check(problems, operation, path, "a 20 KB bearer key", send(operation.method(), path, "",
                        "Authorization", "Bearer sk_test_" + "x".repeat(20_000)), 401, "unauthenticated");
                if (VARIABLE.matcher(operation.path()).find()) {
                    String unreadable = concrete(operation.path(), "%00%ff");
                    check(problems, operation, unreadable, "a NUL in the path", send(operation.method(), unreadable, ""),
                            400, "invalid_request");
                }
            }
            BACKENDS.forEach(StubBackend::stop);
            try {
                for (Operation operation : proxied) {
                    String path = concrete(operation.path(), "_1");
                    check(problems, operation, path, "its service down", send(operation.method(), path, ""), 503,
                            "service_unavailable");
                }
            }
            finally {
                BACKENDS.forEach(StubBackend::start);
            }
            assertThat(proxied).isNotEmpty();
            assertThat(problems).isEmpty();
        }

        /**
         * The answers every service gives on any operation (service-support: an unknown query parameter, a
         * request its container refuses, an Accept it cannot serve, a wrong method), as the document must list
         * them; each service's contract test holds its real answers against the same document.
         */
        @ParameterizedTest(name = "{0} {1}")
        @CsvSource({ "400, parameter_unknown", "400, invalid_request", "405, method_not_allowed", "406, not_acceptable" })
        void everyServiceOperationDocumentsTheAnswersAnyRequestCanGet(int status, String code) {
            OpenApiDocument document = OpenApiDocument.load();
            String body = "{\"error\":\"x\",\"code\":\"" + code
                    + "\",\"param\":null,\"details\":[],\"request_id\":\"req_1\"}";
            Map<String, String> headers = Map.of("X-Request-Id", "req_1", "Content-Type", "application/json", "Allow",
                    "GET");
            List<String> undocumented = new ArrayList<>();
            for (Operation operation : document.operations()) {
                if (!operation.service().equals(GatewayRoutes.GATEWAY)) {
                    try {
                        document.assertResponse(operation.method(), concrete(operation.path(), "_1"), status,
                                headers::get, body);
                    }
                    catch (AssertionError ex) {
                        undocumented.add(operation.route());
                    }
                }
            }
            assertThat(undocumented).isEmpty();
        }

        private void check(List<String> problems, Operation operation, String path, String what,
                HttpResponse<String> response, int status, String code) {
            try {
                assertThat(response.statusCode()).as("status").isEqualTo(status);
                assertThat(ApiGatewayTest.this.json.readTree(response.body()).path("code").asText()).as("code")
                    .isEqualTo(code);
                assertThat(response.headers().allValues("X-Request-Id")).hasSize(1);
                OpenApiDocument.load().assertResponse(operation.method(), path, response.statusCode(),
                        name -> response.headers().firstValue(name).orElse(null), response.body());
            }
            catch (AssertionError | IOException ex) {
                problems.add(operation.route() + " with " + what + ": " + ex.getMessage());
            }
        }

        private static String concrete(String template, String value) {
            return VARIABLE.matcher(template).replaceAll(match -> Matcher.quoteReplacement(
                    value.startsWith("_") ? match.group(1) + value : value));
        }

    }

    private void assertUnavailable(HttpResponse<String> response, String requestId) throws IOException {
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = this.json.readTree(response.body());
        assertThat(error.get("code").asText()).isEqualTo("service_unavailable");
        assertThat(error.get("error").asText()).isNotEmpty().doesNotContain("Exception");
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("details")).isEmpty();
        String sentOrGenerated = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(error.get("request_id").asText()).isEqualTo(sentOrGenerated);
        if (requestId != null) {
            assertThat(sentOrGenerated).isEqualTo(requestId);
        }
    }

    private String health(StubBackend stub) throws IOException, InterruptedException {
        return healthJson().at("/components/backends/components/" + stub.name() + "/status").asText();
    }

    /** The full health on the management port, after checking the public one agrees on the status. */
    private JsonNode healthJson() throws IOException, InterruptedException {
        HttpResponse<String> response = send(this.managementPort, "GET", "/actuator/health", "");
        JsonNode health = this.json.readTree(response.body());
        String status = health.get("status").asText();
        assertThat(response.statusCode()).isEqualTo("UP".equals(status) ? 200 : 503);
        HttpResponse<String> publicHealth = send("GET", "/actuator/health", "");
        assertThat(publicHealth.statusCode()).isEqualTo(response.statusCode());
        assertThat(this.json.readTree(publicHealth.body()).get("status").asText()).isEqualTo(status);
        return health;
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String body, String... headers)
            throws IOException, InterruptedException {
        return send(this.port, method, pathAndQuery, body, headers);
    }

    private HttpResponse<String> send(int port, String method, String pathAndQuery, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = request(port, method, pathAndQuery, body);
        for (int i = 0; i < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        return this.http.send(request.build(), BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String method, String pathAndQuery, String body) {
        return request(this.port, method, pathAndQuery, body);
    }

    private HttpRequest.Builder request(int port, String method, String pathAndQuery, String body) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + pathAndQuery))
            .method(method, body.isEmpty() ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    }

    /** Sends a request target java.net.URI would refuse, as curl does. */
    private String rawGet(String target) throws IOException {
        try (Socket socket = new Socket("localhost", this.port)) {
            String request = "GET " + target + " HTTP/1.1\r\nHost: localhost:" + this.port
                    + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static StubBackend stub(String name) {
        return BACKENDS.stream().filter(stub -> stub.name().equals(name)).findFirst().orElseThrow();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

}
