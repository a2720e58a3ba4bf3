package ledger.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import ledger.events.InvoiceCreated;
import ledger.events.LedgerEvent;
import ledger.events.StoreId;
import ledger.support.auth.AccessRegistry;
import ledger.support.auth.Scopes;
import ledger.testsupport.ApiClient;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Events on the topic become signed webhooks on real HTTP receivers: retries, rotation, 410, Retry-After, isolation. */
class DeliveryIT extends WebhookIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    AccessRegistry registry;

    @Autowired
    WebhookProperties properties;

    private static void verify(Receiver.Request request, String secret) throws WebhookVerificationException {
        new Webhook(secret).verify(request.body(), request.headers());
    }

    private static JsonNode body(Receiver.Request request) throws Exception {
        return JSON.readTree(request.body());
    }

    @Test
    void retriesWithTheSameIdAndBodyUntilTheReceiverAcceptsAndEveryAttemptVerifies() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start().respond(n -> Receiver.Answer.status(n < 3 ? 500 : 200))) {
            var endpoint = createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            String secret = endpoint.get("secret").asText();
            var invoice = created(store.id(), "100.00", null);
            publish(invoice);

            String eventId = invoice.eventId().value();
            await().atMost(WAIT).until(() -> receiver.requestsFor(eventId).size() == 4);
            var requests = receiver.requestsFor(eventId);
            for (var request : requests) {
                assertThat(request.header("webhook-id")).isEqualTo(eventId);
                assertThat(request.body()).isEqualTo(requests.get(0).body());
                assertThat(request.header("Content-Type")).startsWith("application/json");
                verify(request, secret);
            }
            JsonNode body = body(requests.get(0));
            assertThat(body.get("id").asText()).isEqualTo(eventId);
            assertThat(body.get("type").asText()).isEqualTo("invoice.created");
            assertThat(body.get("api_version").asText()).isEqualTo("2026-11-01");
            assertThat(Instant.parse(body.get("timestamp").asText())).isEqualTo(invoice.occurredAt());
            assertThat(body.get("data").get("invoice").get("status").asText()).isEqualTo("open");
            assertThat(body.get("data").get("invoice").get("amount").asText()).isEqualTo("100.00");

            String endpointId = endpoint.get("id").asText();
            await().atMost(WAIT).untilAsserted(() -> {
                var history = api().get("/v1/webhook_endpoints/" + endpointId + "/deliveries", store.key()).json();
                assertThat(history.get("data")).hasSize(4);
                JsonNode last = history.get("data").get(0);
                assertThat(last.get("event").asText()).isEqualTo(eventId);
                assertThat(last.get("event_type").asText()).isEqualTo("invoice.created");
                assertThat(last.get("status_code").asInt()).isEqualTo(200);
                assertThat(last.get("outcome").asText()).isEqualTo("succeeded");
                assertThat(last.get("next_attempt_at").isNull()).isTrue();
                for (int i = 1; i < 4; i++) {
                    JsonNode failed = history.get("data").get(i);
                    assertThat(failed.get("status_code").asInt()).isEqualTo(500);
                    assertThat(failed.get("outcome").asText()).isEqualTo("retrying");
                    assertThat(failed.get("error").asText()).isEqualTo("HTTP 500");
                    assertThat(failed.get("latency_ms").asLong()).isGreaterThanOrEqualTo(0);
                    assertThat(Instant.parse(failed.get("next_attempt_at").asText()))
                            .isAfter(Instant.parse(failed.get("attempted_at").asText()));
                }
            });
            // the success ended the endpoint's failure streak
            assertThat(jdbc.queryForObject("SELECT failing_since FROM webhook.webhook_endpoint WHERE id = ?",
                    Timestamp.class, endpointId)).isNull();
            assertThat(api().get("/actuator/prometheus", null).raw())
                    .containsPattern("ledger_webhook_attempts_total\\{[^}]*outcome=\"succeeded\"")
                    .containsPattern("ledger_webhook_attempts_total\\{[^}]*outcome=\"http_error\"");
        }
    }

    @Test
    void paymentsBecomePartiallyPaidOrPaidWithTheInvoiceAsItStoodAfterEachEventAndArriveInOrderEvenIfPublishedOutOfOrder()
            throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            var invoice = created(store.id(), "100.00", null);
            var partial = payment(invoice, 2, "40.00", "40.00");
            var paid = payment(invoice, 3, "70.00", "110.00");
            // Later events first: they wait for their predecessors, then each is sent with its own view.
            publish(paid, partial, invoice);

            await().atMost(WAIT).until(() -> receiver.requests().size() == 3);
            // All three became due at once; each first attempt waited for the one before.
            assertThat(receiver.requests()).extracting(r -> body(r).get("type").asText())
                    .containsExactly("invoice.created", "invoice.partially_paid", "invoice.paid");
            Map<String, JsonNode> byType = new HashMap<>();
            for (var request : receiver.requests()) {
                JsonNode body = body(request);
                byType.put(body.get("type").asText(), body);
            }
            assertThat(byType).containsOnlyKeys("invoice.created", "invoice.partially_paid", "invoice.paid");
            assertThat(byType.get("invoice.created").get("id").asText()).isEqualTo(invoice.eventId().value());

            JsonNode afterPartial = byType.get("invoice.partially_paid");
            assertThat(afterPartial.get("id").asText()).isEqualTo(partial.eventId().value());
            assertThat(afterPartial.get("data").get("invoice").get("status").asText()).isEqualTo("partially_paid");
            assertThat(afterPartial.get("data").get("invoice").get("amount_due").asText()).isEqualTo("60.00");
            assertThat(afterPartial.get("data").get("invoice").get("version").asLong()).isEqualTo(2);
            assertThat(afterPartial.get("data").get("payment").get("amount").asText()).isEqualTo("40.00");

            JsonNode afterPaid = byType.get("invoice.paid");
            assertThat(afterPaid.get("id").asText()).isEqualTo(paid.eventId().value());
            assertThat(afterPaid.get("data").get("invoice").get("status").asText()).isEqualTo("overpaid");
            assertThat(afterPaid.get("data").get("invoice").get("amount_overpaid").asText()).isEqualTo("10.00");
            assertThat(afterPaid.get("data").get("invoice").get("payments")).hasSize(2);
            assertThat(afterPaid.get("data").get("payment").get("id").asText()).isEqualTo(paid.paymentId().value());
        }
    }

    @Test
    void eachInvoicesEventsReachEachTargetInSequenceOrderWhenManyAreDueAtOnce() throws Exception {
        var store = newStore();
        try (var endpointReceiver = Receiver.start(); var callbackReceiver = Receiver.start()) {
            createEndpoint(store, endpointReceiver.url("/hooks"), "[\"*\"]");
            // Callbacks are signed with the store's secret: no first attempt may fail for want of it.
            await().atMost(WAIT).until(() -> registry.store(store.id()).isPresent());
            List<LedgerEvent> events = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                var invoice = created(store.id(), "100.00", callbackReceiver.url("/callback/" + i));
                events.add(invoice);
                events.add(payment(invoice, 2, "40.00", "40.00"));
                events.add(payment(invoice, 3, "60.00", "100.00"));
            }
            // Shuffled: an invoice's later events wait in the inbox and become due together with their
            // predecessor, and each target takes up to four attempts at once, so without the claim's order
            // rule the workers interleave them.
            Collections.shuffle(events, new Random(20261121));
            publish(events.toArray(LedgerEvent[]::new));

            await().atMost(WAIT).until(() -> endpointReceiver.requests().size() == 60
                    && callbackReceiver.requests().size() == 60);
            for (var receiver : List.of(endpointReceiver, callbackReceiver)) {
                Map<String, List<String>> arrivals = new LinkedHashMap<>();
                for (var request : receiver.requests()) {
                    JsonNode body = body(request);
                    arrivals.computeIfAbsent(body.get("data").get("invoice").get("id").asText(),
                            invoice -> new ArrayList<>()).add(body.get("type").asText());
                }
                assertThat(arrivals).hasSize(20).allSatisfy((invoice, types) -> assertThat(types)
                        .as("arrivals for invoice %s", invoice)
                        .containsExactly("invoice.created", "invoice.partially_paid", "invoice.paid"));
            }
        }
    }

    @Test
    void aFailedFirstAttemptLetsTheInvoicesLaterEventsGoAndArrivesItselfOnRetry() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            var invoice = created(store.id(), "10.00", null);
            var paid = payment(invoice, 2, "10.00", "10.00");
            String createdId = invoice.eventId().value();
            String paidId = paid.eventId().value();
            // invoice.created fails for as long as invoice.paid has not arrived: were invoice.paid held back
            // until invoice.created succeeded, neither would ever succeed.
            receiver.respondTo(r -> Receiver.Answer.status(
                    createdId.equals(r.header("webhook-id")) && receiver.requestsFor(paidId).isEmpty() ? 500 : 200));
            publish(paid, invoice);

            await().atMost(WAIT).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM webhook.delivery WHERE event_id IN (?, ?) AND state = 'succeeded'",
                    Integer.class, createdId, paidId) == 2);
            List<String> arrivals = receiver.requests().stream().map(r -> r.header("webhook-id")).toList();
            assertThat(arrivals.get(0)).as("first attempts in order").isEqualTo(createdId);
            assertThat(arrivals).containsOnlyOnce(paidId);
            assertThat(arrivals.lastIndexOf(createdId)).as("invoice.created's retry came after invoice.paid")
                    .isGreaterThan(arrivals.indexOf(paidId));
            assertThat(jdbc.queryForObject("SELECT attempts FROM webhook.delivery WHERE event_id = ?",
                    Integer.class, createdId)).isGreaterThanOrEqualTo(2);
            assertThat(jdbc.queryForObject("SELECT state || '/' || attempts FROM webhook.delivery WHERE event_id = ?",
                    String.class, paidId)).isEqualTo("succeeded/1");
        }
    }

    @Test
    void endpointsReceiveOnlyTheEventTypesTheyEnabled() throws Exception {
        var store = newStore();
        try (var paidOnly = Receiver.start(); var everything = Receiver.start()) {
            createEndpoint(store, paidOnly.url("/paid"), "[\"invoice.paid\"]");
            createEndpoint(store, everything.url("/all"), "[\"*\"]");
            var invoice = created(store.id(), "10.00", null);
            var paid = payment(invoice, 2, "10.00", "10.00");
            var other = created(store.id(), "20.00", null);
            publish(invoice, paid, other, cancelled(other, 2));

            await().atMost(WAIT).until(() -> everything.requests().size() == 4 && paidOnly.requests().size() >= 1);
            assertThat(paidOnly.requests()).hasSize(1);
            assertThat(paidOnly.requests().get(0).header("webhook-id")).isEqualTo(paid.eventId().value());
            assertThat(everything.requests()).extracting(r -> body(r).get("type").asText())
                    .containsExactlyInAnyOrder("invoice.created", "invoice.paid", "invoice.created", "invoice.cancelled");
        }
    }

    @Test
    void afterARotationDeliveriesVerifyWithBothTheOldAndTheNewSecret() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            var endpoint = createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            String oldSecret = endpoint.get("secret").asText();
            var before = created(store.id(), "5.00", null);
            publish(before);
            await().atMost(WAIT).until(() -> receiver.requestsFor(before.eventId().value()).size() == 1);
            verify(receiver.requestsFor(before.eventId().value()).get(0), oldSecret);

            var rotated = api().post("/v1/webhook_endpoints/" + endpoint.get("id").asText() + "/rotate_secret",
                    store.key(), null);
            assertThat(rotated.status()).isEqualTo(200);
            String newSecret = rotated.json().get("secret").asText();
            assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);
            assertThat(Duration.between(Instant.now(),
                    Instant.parse(rotated.json().get("previous_secret_expires_at").asText())))
                    .isBetween(Duration.ofHours(23), Duration.ofHours(24));

            var after = created(store.id(), "6.00", null);
            publish(after);
            await().atMost(WAIT).until(() -> receiver.requestsFor(after.eventId().value()).size() == 1);
            var request = receiver.requestsFor(after.eventId().value()).get(0);
            assertThat(request.header("webhook-signature").split(" ")).hasSize(2);
            verify(request, newSecret);
            verify(request, oldSecret);
            assertThatThrownBy(() -> verify(request, newStore().callbackSecret()))
                    .isInstanceOf(WebhookVerificationException.class);
        }
    }

    /**
     * Rotated twice, the first secret still signs until the expiry its rotation reported. The clock is moved
     * so that this expiry falls within the verifier's five-minute timestamp tolerance of the real time: the
     * first rotation happens a day (the overlap) ago, the second an hour later.
     */
    @Test
    void aSecretRotatedOutTwiceAgoStillSignsUntilTheExpiryReportedForIt() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            var endpoint = createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            String path = "/v1/webhook_endpoints/" + endpoint.get("id").asText() + "/rotate_secret";
            String first = endpoint.get("secret").asText();
            Duration overlap = properties.secretRotationOverlap();

            clock.moveTo(Instant.now().minus(overlap));
            var once = api().post(path, store.key(), null).json();
            Instant firstExpires = Instant.parse(once.get("previous_secret_expires_at").asText());
            String second = once.get("secret").asText();
            clock.moveTo(Instant.now().minus(overlap).plus(Duration.ofHours(1)));
            var twice = api().post(path, store.key(), null).json();
            String third = twice.get("secret").asText();
            Instant secondExpires = Instant.parse(twice.get("previous_secret_expires_at").asText());
            // The latest expiry of the previous secrets: until then a previous secret still signs.
            assertThat(Duration.between(firstExpires, secondExpires)).isGreaterThan(Duration.ofMinutes(59));

            clock.moveTo(firstExpires.minusSeconds(60));
            var before = created(store.id(), "5.00", null);
            publish(before);
            await().atMost(WAIT).until(() -> receiver.requestsFor(before.eventId().value()).size() == 1);
            var beforeRequest = receiver.requestsFor(before.eventId().value()).get(0);
            assertThat(beforeRequest.header("webhook-signature").split(" ")).hasSize(3);
            for (String secret : List.of(first, second, third)) {
                verify(beforeRequest, secret);
            }

            clock.moveTo(firstExpires.plusSeconds(60));
            var after = created(store.id(), "6.00", null);
            publish(after);
            await().atMost(WAIT).until(() -> receiver.requestsFor(after.eventId().value()).size() == 1);
            var afterRequest = receiver.requestsFor(after.eventId().value()).get(0);
            assertThat(afterRequest.header("webhook-signature").split(" ")).hasSize(2);
            verify(afterRequest, second);
            verify(afterRequest, third);
            assertThatThrownBy(() -> verify(afterRequest, first)).isInstanceOf(WebhookVerificationException.class)
                    .hasMessageContaining("No matching signature");
            assertThat(Instant.parse(api().get("/v1/webhook_endpoints/" + endpoint.get("id").asText(), store.key())
                    .json().get("previous_secret_expires_at").asText())).isEqualTo(secondExpires);
        } finally {
            clock.reset();
        }
    }

    /** A new endpoint of {@code store} rotated as often as it may be at once; returns its rotation path. */
    private String rotatedTenTimes(TestStore store) {
        String path = "/v1/webhook_endpoints/" + createEndpoint(store, "https://example.com/x", "[\"*\"]")
                .get("id").asText() + "/rotate_secret";
        for (int i = 0; i < 10; i++) {
            assertThat(api().post(path, store.key(), null).status()).isEqualTo(200);
        }
        return path;
    }

    /**
     * A kept refusal is recorded on a connection of its own while the request's holds the key's lock. More
     * such requests at once than the pool has connections, all queued on one endpoint's row, once held every
     * connection while each waited for a second: nothing moved until the pool's 30 s timeout, deliveries
     * included. They are let in only as many at a time as leaves a connection over.
     */
    @Test
    void moreKeyedRefusalsAtOnceThanPooledConnectionsAreAnsweredWithoutWaitingForThePool() throws Exception {
        var store = newStore();
        String path = rotatedTenTimes(store);
        var pooled = jdbc.getDataSource().unwrap(HikariDataSource.class);
        int burst = pooled.getMaximumPoolSize() + 8;
        var pool = Executors.newFixedThreadPool(burst);
        // The test's own connection, outside the pool, holds the endpoint's row so that the burst piles up on it.
        try (var holder = DriverManager.getConnection(pooled.getJdbcUrl(), pooled.getUsername(), pooled.getPassword())) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("SELECT 1 FROM webhook.webhook_endpoint WHERE id = '"
                    + path.split("/")[3] + "' FOR UPDATE");
            List<Future<ApiClient.Response>> answers = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                answers.add(pool.submit(() -> api().post(path, store.key(), null,
                        "Idempotency-Key", UUID.randomUUID().toString())));
            }
            try {
                // Half the pool suffices: without the admission the queued rest take every connection anyway.
                await().atMost(WAIT).until(() -> sessions(holder, "wait_event_type = 'Lock'"
                        + " AND query LIKE '%webhook_endpoint%FOR UPDATE'").size() >= pooled.getMaximumPoolSize() / 2);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("the burst did not queue on the row; sessions: "
                        + sessions(holder, "datname = current_database() AND pid <> pg_backend_pid()"), e);
            }
            long released = System.nanoTime();
            holder.commit();
            for (Future<ApiClient.Response> answer : answers) {
                var refused = answer.get();
                assertThat(refused.status()).as(refused.raw()).isEqualTo(409);
                assertThat(refused.json().get("code").asText()).isEqualTo("rotation_limit_reached");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Duration.ofSeconds(10));
        } finally {
            pool.shutdownNow();
        }
    }

    /** PostgreSQL's sessions matching {@code where}: state, what they wait for, and the start of their statement. */
    private static List<String> sessions(Connection connection, String where) throws SQLException {
        List<String> sessions = new ArrayList<>();
        try (var rows = connection.createStatement().executeQuery("SELECT state, wait_event_type, wait_event,"
                + " left(query, 100) FROM pg_stat_activity WHERE " + where)) {
            while (rows.next()) {
                sessions.add(rows.getString(1) + "/" + rows.getString(2) + "/" + rows.getString(3) + ": " + rows.getString(4));
            }
        }
        return sessions;
    }

    @Test
    void rotatingWhileTenPreviousSecretsStillSignIsRefused() throws Exception {
        var store = newStore();
        String path = rotatedTenTimes(store);
        var refused = OpenApiContractIT.DOCUMENT.exchange(api(), 409, "POST", path, store.key(), null);
        assertThat(refused.json().get("code").asText()).isEqualTo("rotation_limit_reached");
        try {
            // A day later the ten have expired: rotating is possible again, and only the new previous secret signs.
            clock.moveTo(Instant.now().plus(properties.secretRotationOverlap()));
            assertThat(api().post(path, store.key(), null).status()).isEqualTo(200);
            assertThat(jdbc.queryForObject("""
                    SELECT count(*) FROM webhook.webhook_endpoint_secret WHERE endpoint_id = ?""", Integer.class,
                    path.split("/")[3])).isEqualTo(1);
        } finally {
            clock.reset();
        }
    }

    @Test
    void goneDisablesTheEndpointAndRecoverResendsWhatFailedOnceItIsEnabledAgain() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start().respond(n -> Receiver.Answer.status(n == 0 ? 410 : 200))) {
            var endpoint = createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            String path = "/v1/webhook_endpoints/" + endpoint.get("id").asText();
            Instant since = Instant.now().minusSeconds(1);
            var first = created(store.id(), "5.00", null);
            publish(first);
            await().atMost(WAIT).untilAsserted(() -> {
                var view = api().get(path, store.key()).json();
                assertThat(view.get("disabled").asBoolean()).isTrue();
                assertThat(view.get("disabled_reason").asText()).isEqualTo("gone");
            });

            var second = created(store.id(), "6.00", null);
            publish(second);
            await().atMost(WAIT).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM webhook.delivery WHERE event_id = ? AND state = 'failed'", Integer.class,
                    second.eventId().value()) == 1);
            assertThat(receiver.requests()).hasSize(1);

            var refused = api().post(path + "/recover", store.key(), "{\"since\":\"" + since + "\"}");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.json().get("code").asText()).isEqualTo("endpoint_disabled");

            var enabled = api().send("PATCH", path, store.key(), "{\"disabled\":false}");
            assertThat(enabled.status()).isEqualTo(200);
            assertThat(enabled.json().get("disabled").asBoolean()).isFalse();
            assertThat(enabled.json().get("disabled_reason").isNull()).isTrue();

            var recovered = api().post(path + "/recover", store.key(), "{\"since\":\"" + since + "\"}");
            assertThat(recovered.status()).isEqualTo(202);
            assertThat(recovered.json().get("requeued").asInt()).isEqualTo(2);
            await().atMost(WAIT).until(() -> receiver.requestsFor(first.eventId().value()).size() == 2
                    && receiver.requestsFor(second.eventId().value()).size() == 1);
            verify(receiver.requestsFor(second.eventId().value()).get(0), endpoint.get("secret").asText());
        }
    }

    @Test
    void retryAfterIsHonouredOn429And503() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start().respond(n -> switch (n) {
            case 0 -> new Receiver.Answer(503, Map.of("Retry-After", "2"), 0);
            case 1 -> new Receiver.Answer(429, Map.of("Retry-After", "1"), 0);
            default -> Receiver.Answer.status(204);
        })) {
            var endpoint = createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            var invoice = created(store.id(), "5.00", null);
            publish(invoice);
            await().atMost(WAIT).until(() -> receiver.requests().size() == 3);
            var requests = receiver.requests();
            // The schedule says 300 ms; the receiver asked for 2 s, then 1 s.
            assertThat(Duration.between(requests.get(0).at(), requests.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(1990));
            assertThat(Duration.between(requests.get(1).at(), requests.get(2).at())).isGreaterThanOrEqualTo(Duration.ofMillis(990));
            await().atMost(WAIT).untilAsserted(() -> {
                var history = api().get("/v1/webhook_endpoints/" + endpoint.get("id").asText() + "/deliveries",
                        store.key()).json().get("data");
                assertThat(history).hasSize(3);
                assertThat(history.get(0).get("status_code").asInt()).isEqualTo(204);
                JsonNode unavailable = history.get(2);
                assertThat(unavailable.get("status_code").asInt()).isEqualTo(503);
                assertThat(Duration.between(Instant.parse(unavailable.get("attempted_at").asText()),
                        Instant.parse(unavailable.get("next_attempt_at").asText()))).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            });
        }
    }

    @Test
    void anInvoicesCallbackUrlReceivesItsEventsSignedWithTheStoreSecret() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            var invoice = created(store.id(), "50.00", receiver.url("/callback/order-1"));
            var withoutCallback = created(store.id(), "60.00", null);
            var paid = payment(invoice, 2, "50.00", "50.00");
            publish(invoice, withoutCallback, paid);

            await().atMost(WAIT).until(() -> receiver.requests().size() >= 2);
            assertThat(receiver.requests()).extracting(r -> r.header("webhook-id"))
                    .containsExactlyInAnyOrder(invoice.eventId().value(), paid.eventId().value());
            for (var request : receiver.requests()) {
                assertThat(request.path()).isEqualTo("/callback/order-1");
                verify(request, store.callbackSecret());
                assertThatThrownBy(() -> verify(request, newStore().callbackSecret()))
                        .isInstanceOf(WebhookVerificationException.class);
                assertThat(body(request).get("data").get("invoice").get("id").asText())
                        .isEqualTo(invoice.invoiceId().value());
            }
            // The payment's view was folded onto the stored view of the invoice after its creation.
            var paidBody = body(receiver.requestsFor(paid.eventId().value()).get(0));
            assertThat(paidBody.get("type").asText()).isEqualTo("invoice.paid");
            assertThat(paidBody.get("data").get("invoice").get("status").asText()).isEqualTo("paid");
            assertThat(paidBody.get("data").get("invoice").get("amount_due").asText()).isEqualTo("0.00");
            assertThat(paidBody.get("data").get("invoice").get("payments")).hasSize(1);
            assertThat(paidBody.get("data").get("invoice").get("created_at").asText())
                    .isEqualTo(body(receiver.requestsFor(invoice.eventId().value()).get(0))
                            .get("data").get("invoice").get("created_at").asText());
        }
    }

    @Test
    void aHangingEndpointDoesNotDelayDeliveriesToAHealthyOne() throws Exception {
        var store = newStore();
        try (var hanging = Receiver.start().respond(n -> new Receiver.Answer(200, Map.of(), 30_000));
             var healthy = Receiver.start()) {
            var stuck = createEndpoint(store, hanging.url("/slow"), "[\"*\"]");
            // A backlog for the hanging endpoint older than anything the healthy one will get, and longer than a
            // claim's candidates: read in due order, it would hide the healthy endpoint's deliveries.
            for (int i = 0; i < 200; i++) {
                publish(created(store.id(), "3.00", null));
            }
            await().atMost(WAIT).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM webhook.delivery WHERE endpoint_id = ? AND state = 'pending'", Integer.class,
                    stuck.get("id").asText()) == 200);
            var healthyEndpoint = createEndpoint(store, healthy.url("/fast"), "[\"*\"]");
            var warmUp = created(store.id(), "1.00", null);
            publish(warmUp);
            await().atMost(WAIT).until(() -> healthy.requestsFor(warmUp.eventId().value()).size() == 1);

            Map<String, Instant> published = new HashMap<>();
            List<InvoiceCreated> invoices = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                var invoice = created(store.id(), "2.00", null);
                invoices.add(invoice);
                published.put(invoice.eventId().value(), Instant.now());
                publish(invoice);
            }
            await().atMost(WAIT).until(() -> invoices.stream()
                    .allMatch(inv -> healthy.requestsFor(inv.eventId().value()).size() == 1));
            // Measured from the moment the delivery was queued (the event committed to the inbox) to its arrival,
            // so a busy shared machine's Kafka consumer lag doesn't count against the dispatcher.
            Duration slowest = Duration.ZERO;
            Duration slowestFromPublish = Duration.ZERO;
            for (var invoice : invoices) {
                String id = invoice.eventId().value();
                Instant queued = jdbc.queryForObject(
                        "SELECT created_at FROM webhook.delivery WHERE event_id = ? AND endpoint_id = ?", Timestamp.class,
                        id, healthyEndpoint.get("id").asText()).toInstant();
                Instant received = healthy.requestsFor(id).get(0).at();
                slowest = max(slowest, Duration.between(queued, received));
                slowestFromPublish = max(slowestFromPublish, Duration.between(published.get(id), received));
            }
            System.out.printf("Healthy endpoint next to a hanging one: slowest queued->received %d ms, "
                    + "published->received %d ms%n", slowest.toMillis(), slowestFromPublish.toMillis());
            assertThat(slowest).isLessThan(Duration.ofSeconds(1));
            // The hanging endpoint holds at most its per-target share of the workers.
            assertThat(hanging.maxInFlight()).isBetween(1, 4);
            api().send("DELETE", "/v1/webhook_endpoints/" + stuck.get("id").asText(), store.key(), null);
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Test
    void redeliverResendsOneEventWithTheSameIdAndOnlyToTheOwningStore() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            var endpoint = createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            var invoice = created(store.id(), "5.00", null);
            String eventId = invoice.eventId().value();
            publish(invoice);
            await().atMost(WAIT).until(() -> receiver.requestsFor(eventId).size() == 1);

            var foreign = api().post("/v1/events/" + eventId + "/redeliver", newStore().key(), null);
            assertThat(foreign.status()).isEqualTo(404);
            assertThat(api().post("/v1/events/" + eventId + "/redeliver",
                    keyFor(store.id(), Scopes.WEBHOOKS_READ), null).status()).isEqualTo(403);
            assertThat(api().post("/v1/events/" + eventId + "/redeliver", store.key(),
                    "{\"endpoint\":\"we_doesNotExist\"}").status()).isEqualTo(404);

            var again = api().post("/v1/events/" + eventId + "/redeliver", store.key(), null);
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.json().get("endpoints").get(0).asText()).isEqualTo(endpoint.get("id").asText());
            var once = api().post("/v1/events/" + eventId + "/redeliver", store.key(),
                    "{\"endpoint\":\"" + endpoint.get("id").asText() + "\"}");
            assertThat(once.status()).isEqualTo(202);
            await().atMost(WAIT).until(() -> receiver.requestsFor(eventId).size() >= 2);
            var requests = receiver.requestsFor(eventId);
            assertThat(requests.get(1).body()).isEqualTo(requests.get(0).body());
            verify(requests.get(1), endpoint.get("secret").asText());
        }
    }

    @Test
    void anEndpointThatHasFailedForFiveDaysIsDisabled() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start().respond(n -> Receiver.Answer.status(500))) {
            var endpoint = createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            String id = endpoint.get("id").asText();
            // As if every attempt had failed since five days ago.
            jdbc.update("UPDATE webhook.webhook_endpoint SET failing_since = ? WHERE id = ?",
                    Timestamp.from(Instant.now().minus(Duration.ofDays(5)).minusSeconds(60)), id);
            publish(created(store.id(), "5.00", null));
            await().atMost(WAIT).untilAsserted(() -> {
                var view = api().get("/v1/webhook_endpoints/" + id, store.key()).json();
                assertThat(view.get("disabled").asBoolean()).isTrue();
                assertThat(view.get("disabled_reason").asText()).isEqualTo("failing");
            });
            assertThat(receiver.requests()).hasSize(1);
        }
    }

    @Test
    void aStoreWithoutEndpointsOrCallbacksQueuesNothing() throws Exception {
        var invoice = created(StoreId.generate(), "5.00", null);
        publish(invoice);
        await().atMost(WAIT).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM webhook.webhook_event WHERE event_id = ?", Integer.class,
                invoice.eventId().value()) == 1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook.delivery WHERE event_id = ?", Integer.class,
                invoice.eventId().value())).isZero();
    }
}
