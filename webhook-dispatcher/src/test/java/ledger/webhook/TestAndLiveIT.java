package ledger.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import ledger.support.auth.AccessRegistry;
import ledger.testsupport.ApiClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * SPEC §3: test and live are two ledgers of one store. A key sees and touches only its own mode's endpoints,
 * deliveries and events (the other mode's answer like missing ones), and events reach only their mode's
 * endpoints and callback URLs.
 */
class TestAndLiveIT extends WebhookIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    AccessRegistry registry;

    @Test
    void everyEndpointAndEventOperationAnswersTheOtherModesObjectsLikeMissingOnes() throws Exception {
        var store = newStore();
        String testKey = store.key();
        String liveKey = liveKeyFor(store.id());
        try (var testReceiver = Receiver.start(); var liveReceiver = Receiver.start()) {
            var testEndpoint = createEndpoint(testKey, testReceiver.url("/test"), "[\"*\"]");
            var liveEndpoint = createEndpoint(liveKey, liveReceiver.url("/live"), "[\"*\"]");
            assertThat(testEndpoint.get("livemode").asBoolean()).isFalse();
            assertThat(liveEndpoint.get("livemode").asBoolean()).isTrue();
            var testEvent = created(store.id(), "5.00", null, false);
            var liveEvent = created(store.id(), "7.00", null, true);
            publish(testEvent, liveEvent);
            await().atMost(WAIT).until(() -> testReceiver.requests().size() == 1
                    && liveReceiver.requests().size() == 1);

            record Mode(String key, JsonNode endpoint, String eventId) {
            }
            var test = new Mode(testKey, testEndpoint, testEvent.eventId().value());
            var live = new Mode(liveKey, liveEndpoint, liveEvent.eventId().value());
            for (var pair : List.of(List.of(test, live), List.of(live, test))) {
                Mode own = pair.get(0);
                Mode other = pair.get(1);
                String path = "/v1/webhook_endpoints/" + other.endpoint().get("id").asText();
                var responses = Map.of(
                        "get", api().get(path, own.key()),
                        "patch", api().send("PATCH", path, own.key(), "{\"description\":\"taken\"}"),
                        "delete", api().send("DELETE", path, own.key(), null),
                        "rotate_secret", api().post(path + "/rotate_secret", own.key(), null),
                        "deliveries", api().get(path + "/deliveries", own.key()),
                        "recover", api().post(path + "/recover", own.key(), "{\"since\":\"2026-01-01T00:00:00Z\"}"),
                        "redeliver", api().post("/v1/events/" + other.eventId() + "/redeliver", own.key(), null),
                        "redeliver to it", api().post("/v1/events/" + own.eventId() + "/redeliver", own.key(),
                                "{\"endpoint\":\"" + other.endpoint().get("id").asText() + "\"}"));
                responses.forEach((operation, response) -> {
                    assertThat(response.status()).as(operation + ": " + response.raw()).isEqualTo(404);
                    assertThat(response.json().get("code").asText()).as(operation).isEqualTo("resource_missing");
                });

                var list = api().get("/v1/webhook_endpoints", own.key()).json().get("data");
                assertThat(list).extracting(e -> e.get("id").asText())
                        .containsExactly(own.endpoint().get("id").asText());
                var history = api().get("/v1/webhook_endpoints/" + own.endpoint().get("id").asText() + "/deliveries",
                        own.key()).json().get("data");
                assertThat(history).extracting(a -> a.get("event").asText()).containsExactly(own.eventId());
                assertError(api().get("/v1/webhook_endpoints?starting_after=" + other.endpoint().get("id").asText(),
                        own.key()), "starting_after");
            }

            // Nothing the other mode tried took effect: both endpoints are as they were, and were sent nothing more.
            for (var mode : List.of(test, live)) {
                var view = api().get("/v1/webhook_endpoints/" + mode.endpoint().get("id").asText(), mode.key()).json();
                assertThat(view.get("description").isNull()).isTrue();
                assertThat(view.get("previous_secret_expires_at").isNull()).isTrue();
            }
            var later = created(store.id(), "9.00", null, true);
            publish(later);
            await().atMost(WAIT).until(() -> liveReceiver.requestsFor(later.eventId().value()).size() == 1);
            assertThat(liveReceiver.requests()).hasSize(2);
            assertThat(testReceiver.requests()).hasSize(1);
        }
    }

    @Test
    void eventsReachOnlyTheEndpointsAndCallbackUrlsOfTheirOwnMode() throws Exception {
        var store = newStore();
        String liveKey = liveKeyFor(store.id());
        try (var testReceiver = Receiver.start(); var liveReceiver = Receiver.start();
             var callbacks = Receiver.start()) {
            createEndpoint(store.key(), testReceiver.url("/test"), "[\"*\"]");
            String liveEndpoint = createEndpoint(liveKey, liveReceiver.url("/live"), "[\"*\"]").get("id").asText();
            await().atMost(WAIT).until(() -> registry.store(store.id()).isPresent());
            var testInvoice = created(store.id(), "10.00", callbacks.url("/callback/test"), false);
            var liveInvoice = created(store.id(), "20.00", callbacks.url("/callback/live"), true);
            publish(testInvoice, liveInvoice, payment(testInvoice, 2, "10.00", "10.00"),
                    payment(liveInvoice, 2, "20.00", "20.00"));

            await().atMost(WAIT).until(() -> testReceiver.requests().size() == 2 && liveReceiver.requests().size() == 2
                    && callbacks.requests().size() == 4);
            assertModes(testReceiver.requests(), false);
            assertModes(liveReceiver.requests(), true);
            assertModes(callbacks.requests().stream().filter(r -> r.path().endsWith("/test")).toList(), false);
            assertModes(callbacks.requests().stream().filter(r -> r.path().endsWith("/live")).toList(), true);

            // A live redelivery goes to the live endpoints and the live invoice's callback only.
            var redelivery = api().post("/v1/events/" + liveInvoice.eventId().value() + "/redeliver", liveKey, null);
            assertThat(redelivery.status()).isEqualTo(202);
            assertThat(redelivery.json().get("endpoints")).extracting(JsonNode::asText).containsExactly(liveEndpoint);
            assertThat(redelivery.json().get("callback_url").asBoolean()).isTrue();
            await().atMost(WAIT).until(() -> liveReceiver.requests().size() == 3 && callbacks.requests().size() == 5);
            assertThat(testReceiver.requests()).hasSize(2);
        }
    }

    @Test
    void theEndpointLimitCountsEachModeApart() throws Exception {
        var store = newStore();
        String liveKey = liveKeyFor(store.id());
        for (int i = 0; i < 16; i++) {
            createEndpoint(store.key(), "https://example.com/" + i, "[\"*\"]");
        }
        var full = api().post("/v1/webhook_endpoints", store.key(), "{\"url\":\"https://example.com/more\"}");
        assertThat(full.status()).isEqualTo(400);
        assertThat(full.json().get("code").asText()).isEqualTo("endpoint_limit_reached");
        assertThat(api().post("/v1/webhook_endpoints", liveKey, "{\"url\":\"https://example.com/live\"}").status())
                .isEqualTo(201);
    }

    private static void assertModes(List<Receiver.Request> requests, boolean livemode) throws Exception {
        assertThat(requests).isNotEmpty();
        for (var request : requests) {
            assertThat(JSON.readTree(request.body()).get("data").get("invoice").get("livemode").asBoolean())
                    .as(request.body()).isEqualTo(livemode);
        }
    }

    private static void assertError(ApiClient.Response response, String param) {
        assertThat(response.status()).as(response.raw()).isEqualTo(400);
        assertThat(response.json().get("param").asText()).isEqualTo(param);
    }
}
