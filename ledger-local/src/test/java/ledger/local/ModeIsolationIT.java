package ledger.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import ledger.testsupport.ApiClient;
import ledger.testsupport.OpenApiDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Test and live are two ledgers inside one store (SPEC §3). One store holds a test key and a live key
 * with every scope; each mode gets an invoice (paid in part), a cancelled invoice, a webhook endpoint and a
 * callback URL. Then every merchant operation of the OpenAPI document is called with each key against the
 * other mode's objects: each must answer exactly like a missing object (404 {@code resource_missing}),
 * lists, reports and exports must hold only the key's own mode, and nothing may change the other mode's
 * objects or send it a webhook. The walk covers the whole document: an operation it does not know fails
 * the test, so a new endpoint must say how it keeps the modes apart.
 */
@ExtendWith(SharedLedger.class)
@Order(SharedLedger.LAST)
class ModeIsolationIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALL_SCOPES = "[\"invoices:read\",\"invoices:write\",\"payments:write\",\"events:read\","
            + "\"webhooks:read\",\"webhooks:write\",\"reports:read\"]";

    private static ApiClient api;
    private static Receiver receiver;
    /** What each mode created: its key and its objects' ids. */
    private static final Map<String, Ledger> modes = new ConcurrentHashMap<>();

    record Ledger(String mode, String key, String currency, String invoice, String cancelledInvoice, String payment,
                  Set<String> eventIds, String endpoint) {
        boolean live() {
            return mode.equals("live");
        }

        Set<String> ids() {
            Set<String> ids = new HashSet<>(eventIds);
            ids.addAll(List.of(invoice, cancelledInvoice, payment, endpoint));
            return ids;
        }
    }

    @BeforeAll
    static void populateTwoModes(LocalLedger ledger) throws IOException {
        api = new ApiClient(ledger.gatewayUrl());
        receiver = new Receiver();

        var store = api.post("/admin/v1/stores", ledger.adminToken(), "{\"name\":\"Two modes\"}");
        assertThat(store.status()).as(store.raw()).isEqualTo(201);
        String storeId = store.json().get("id").asText();
        // Different currencies per mode make a report row of the other mode impossible to miss.
        for (String mode : List.of("test", "live")) {
            var key = api.post("/admin/v1/stores/" + storeId + "/api_keys", ledger.adminToken(),
                    "{\"mode\":\"" + mode + "\",\"scopes\":" + ALL_SCOPES + "}");
            assertThat(key.status()).as(key.raw()).isEqualTo(201);
            modes.put(mode, populate(mode, key.json().get("key").asText(), mode.equals("live") ? "EUR" : "USD"));
        }
    }

    /** One mode's objects, made through the gateway with that mode's key. */
    private static Ledger populate(String mode, String key, String currency) {
        var endpoint = api.post("/v1/webhook_endpoints", key,
                "{\"url\":\"" + receiver.url("/endpoint-" + mode) + "\",\"enabled_events\":[\"*\"]}");
        assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(201);
        assertThat(endpoint.json().get("livemode").asBoolean()).isEqualTo(mode.equals("live"));

        String invoice = create(key, currency, receiver.url("/callback-" + mode), mode);
        var paid = api.post("/v1/invoices/" + invoice + "/payments", key,
                "{\"amount\":\"4.00\",\"currency\":\"" + currency + "\",\"reference\":\"ref-" + mode + "\"}");
        assertThat(paid.status()).as(paid.raw()).isEqualTo(201);
        String cancelled = create(key, currency, null, mode);
        var cancel = api.post("/v1/invoices/" + cancelled + "/cancel", key, "{\"reason\":\"mode test\"}");
        assertThat(cancel.status()).as(cancel.raw()).isEqualTo(200);

        Set<String> events = new TreeSet<>();
        for (String id : List.of(invoice, cancelled)) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                var history = api.get("/v1/invoices/" + id + "/events?limit=100", key);
                assertThat(history.status()).as(history.raw()).isEqualTo(200);
                assertThat(history.json().get("data")).hasSize(2);
            });
            api.get("/v1/invoices/" + id + "/events?limit=100", key).json().get("data")
                    .forEach(e -> events.add(e.get("id").asText()));
        }
        return new Ledger(mode, key, currency, invoice, cancelled,
                paid.json().get("payment").get("id").asText(), events, endpoint.json().get("id").asText());
    }

    private static String create(String key, String currency, String callbackUrl, String mode) {
        String callback = callbackUrl == null ? "" : ",\"callback_url\":\"" + callbackUrl + "\"";
        var created = api.post("/v1/invoices", key, "{\"amount\":\"10.00\",\"currency\":\"" + currency
                + "\",\"external_order_id\":\"shared-order-" + (callbackUrl == null ? "b" : "a") + "\"" + callback + "}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.json().get("livemode").asBoolean()).isEqualTo(mode.equals("live"));
        return created.json().get("id").asText();
    }

    @AfterAll
    static void stopTheReceiver() {
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void everyOperationOfTheDocumentKeepsTheModesApart() {
        for (Ledger own : modes.values()) {
            Ledger other = modes.get(own.live() ? "test" : "live");
            for (var operation : OpenApiDocument.load().operations()) {
                if (!operation.path().startsWith("/v1/")) {
                    continue; // admin operations are not mode-scoped; /openapi.json is public
                }
                String path = operation.path();
                if (path.contains("{id}")) {
                    String target = path.replace("{id}", idFor(path, other));
                    var answer = api.send(operation.method(), target, own.key(), bodyFor(operation.method(), path, own),
                            "Idempotency-Key", "walk-" + own.mode() + "-" + operation.route());
                    assertThat(answer.status()).as("%s %s with the %s key: %s", operation.method(), target, own.mode(),
                            answer.raw()).isEqualTo(404);
                    assertThat(answer.json().get("code").asText()).isEqualTo("resource_missing");
                } else if (operation.method().equals("GET")) {
                    String target = path.equals("/v1/exports/events") ? path + "?format=ndjson" : path
                            + (path.startsWith("/v1/reports") ? "" : "?limit=100");
                    var answer = api.get(target, own.key());
                    assertThat(answer.status()).as("GET %s with the %s key: %s", target, own.mode(), answer.raw())
                            .isEqualTo(200);
                    for (String foreign : other.ids()) {
                        assertThat(answer.raw()).as("GET %s with the %s key shows the other mode's %s", target,
                                own.mode(), foreign).doesNotContain(foreign);
                    }
                    assertThat(answer.raw()).as("GET %s with the %s key", target, own.mode())
                            .doesNotContain("\"" + other.currency() + "\"");
                    if (path.equals("/v1/invoices") || path.equals("/v1/events") || path.equals("/v1/exports/events")) {
                        assertThat(answer.raw()).contains(own.invoice());
                    }
                    if (path.equals("/v1/webhook_endpoints")) {
                        assertThat(answer.raw()).contains(own.endpoint());
                    }
                } else {
                    // Creates (invoices, endpoints): made in the key's mode, checked in populate().
                    assertThat(operation.method()).as(operation.route()).isEqualTo("POST");
                }
            }
        }
        // Nothing the walk did reached the other mode: each mode's objects are as populate() left them.
        for (Ledger own : modes.values()) {
            var invoice = api.get("/v1/invoices/" + own.invoice(), own.key()).json();
            assertThat(invoice.get("status").asText()).isEqualTo("partially_paid");
            assertThat(invoice.get("amount_paid").asText()).isEqualTo("4.00");
            assertThat(invoice.get("livemode").asBoolean()).isEqualTo(own.live());
            var cancelled = api.get("/v1/invoices/" + own.cancelledInvoice(), own.key()).json();
            assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
            var endpoint = api.get("/v1/webhook_endpoints/" + own.endpoint(), own.key());
            assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(200);
            assertThat(endpoint.raw()).doesNotContain("changed by the other mode");
        }
    }

    @Test
    void eachModesWebhooksReachOnlyItsOwnEndpointsAndCallbacks() {
        for (Ledger own : modes.values()) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(receiver.eventIds("/endpoint-" + own.mode())).containsAll(own.eventIds()));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(receiver.eventIds("/callback-" + own.mode())).hasSize(2));
        }
        for (Ledger own : modes.values()) {
            Ledger other = modes.get(own.live() ? "test" : "live");
            for (String target : List.of("/endpoint-" + own.mode(), "/callback-" + own.mode())) {
                assertThat(receiver.eventIds(target)).as(target).doesNotContainAnyElementsOf(other.eventIds());
                assertThat(receiver.livemodes(target)).as(target).containsOnly(own.live());
            }
        }
    }

    /** The other mode's object that a path's {@code {id}} names. */
    private static String idFor(String path, Ledger other) {
        if (path.startsWith("/v1/invoices/")) {
            return other.invoice();
        }
        if (path.startsWith("/v1/events/")) {
            return other.eventIds().iterator().next();
        }
        if (path.startsWith("/v1/webhook_endpoints/")) {
            return other.endpoint();
        }
        throw new AssertionError("the mode walk does not know what {id} names in " + path
                + ": teach it, and make the operation keep test and live apart");
    }

    /** A body the operation would accept on an object of the key's own mode. */
    private static String bodyFor(String method, String path, Ledger own) {
        if (method.equals("GET") || method.equals("DELETE")) {
            return null;
        }
        if (path.endsWith("/payments")) {
            return "{\"amount\":\"1.00\",\"currency\":\"" + own.currency() + "\",\"reference\":\"walk-" + own.mode() + "\"}";
        }
        if (path.endsWith("/refunds")) {
            return "{\"amount\":\"1.00\",\"reference\":\"walk-" + own.mode() + "\"}";
        }
        if (path.endsWith("/credit_notes")) {
            return "{\"amount\":\"1.00\",\"reason\":\"other\"}";
        }
        if (path.endsWith("/cancel")) {
            return "{\"reason\":\"walk\"}";
        }
        if (path.endsWith("/recover")) {
            return "{\"since\":\"" + Instant.now().minusSeconds(3600) + "\"}";
        }
        if (method.equals("PATCH")) {
            return "{\"description\":\"changed by the other mode\"}";
        }
        return "{}";
    }

    /** A loopback webhook receiver that records each delivery's event id and livemode per path. */
    static final class Receiver implements AutoCloseable {
        private final HttpServer server;
        private final Map<String, List<JsonNode>> received = new ConcurrentHashMap<>();

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                received.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new CopyOnWriteArrayList<>())
                        .add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        List<JsonNode> received(String path) {
            return List.copyOf(received.getOrDefault(path, List.of()));
        }

        Set<String> eventIds(String path) {
            Set<String> ids = new TreeSet<>();
            received.getOrDefault(path, List.of()).forEach(b -> ids.add(b.get("id").asText()));
            return ids;
        }

        List<Boolean> livemodes(String path) {
            List<Boolean> modes = new ArrayList<>();
            received.getOrDefault(path, List.of())
                    .forEach(b -> modes.add(b.get("data").get("invoice").get("livemode").asBoolean()));
            return modes;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
