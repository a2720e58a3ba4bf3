package ledger.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import ledger.events.InvoiceCreated;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.support.auth.ApiKeys;
import ledger.testsupport.ApiClient;
import ledger.testsupport.LedgerInfrastructure;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.axonframework.config.EventProcessingConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;

import static org.awaitility.Awaitility.await;

/** command-service on real PostgreSQL and Kafka: HTTP → aggregate → event store → relay → topic. */
@AutoConfigureObservability // metric exporters are off in tests otherwise
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ledger.admin-token=test-admin-token")
@ContextConfiguration(initializers = LedgerInfrastructure.Initializer.class)
class CommandServiceIT {

    static final String ADMIN = "test-admin-token";

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;

    ApiClient api() {
        return new ApiClient("http://localhost:" + port);
    }

    @Test
    void createdInvoiceIsStoredAsAnEventAndRelayedToKafkaKeyedByInvoiceId() throws Exception {
        String[] store = api().storeWithKey(ADMIN, "invoices:write");
        var response = api().post("/v1/invoices", store[1],
                "{\"amount\":\"99.00\",\"currency\":\"USD\",\"external_order_id\":\"order-1001\"}");

        assertThat(response.status()).as(response.raw()).isEqualTo(201);
        var body = response.json();
        String id = body.get("id").asText();
        assertThat(id).startsWith("inv_");
        assertThat(body.get("status").asText()).isEqualTo("open");
        assertThat(body.get("amount").asText()).isEqualTo("99.00");
        assertThat(body.get("amount_paid").asText()).isEqualTo("0.00");
        assertThat(body.get("amount_due").asText()).isEqualTo("99.00");
        assertThat(body.get("checkout_url").asText()).matches("http://localhost:8080/checkout/ck_[A-Za-z0-9_-]{43}");
        assertThat(body.get("expires_at").isTextual()).isTrue();
        assertThat(response.header("Location")).contains("/v1/invoices/" + id);
        assertThat(response.header("Ledger-Version")).contains("1");
        assertThat(response.header("X-Request-Id")).hasValueSatisfying(v -> assertThat(v).startsWith("req_"));

        Integer stored = jdbc.queryForObject(
                "SELECT count(*) FROM command.domain_event_entry WHERE aggregate_identifier = ?", Integer.class, id);
        assertThat(stored).isEqualTo(1);

        ConsumerRecord<String, String> relayed = awaitRecordFor(id);
        assertThat(relayed.key()).isEqualTo(id);
        LedgerEvent event = LedgerJson.mapper().readValue(relayed.value(), LedgerEvent.class);
        assertThat(event).isInstanceOf(InvoiceCreated.class);
        assertThat(header(relayed, "event_id")).isEqualTo(event.eventId().value());
        assertThat(header(relayed, "event_type")).isEqualTo("InvoiceCreated");
        assertThat(header(relayed, "invoice_id")).isEqualTo(id);
        Long position = jdbc.queryForObject(
                "SELECT global_index FROM command.domain_event_entry WHERE aggregate_identifier = ?", Long.class, id);
        assertThat(header(relayed, "global_position")).isEqualTo(Long.toString(position));
    }

    @Test
    void anInvoiceOfLineItemsIsTheirSumWithEachLineComputedAndStoredAsRevision2() throws Exception {
        String[] store = api().storeWithKey(ADMIN, "invoices:write");
        var response = api().post("/v1/invoices", store[1], """
                {"currency":"USD","line_items":[
                  {"description":"Coffee beans, 250 g","quantity":"3","unit_amount":"30.00",
                   "discount_percent":"10","tax_percent":"20"},
                  {"description":"Delivery","quantity":"0.5","unit_amount":"3.60"}]}""");

        assertThat(response.status()).as(response.raw()).isEqualTo(201);
        var body = response.json();
        assertThat(body.get("amount").asText()).isEqualTo("99.00");
        assertThat(body.get("amount_due").asText()).isEqualTo("99.00");
        var first = body.get("line_items").get(0);
        assertThat(List.of(first.get("quantity").asText(), first.get("unit_amount").asText(),
                first.get("discount_percent").asText(), first.get("tax_percent").asText(),
                first.get("amount_subtotal").asText(), first.get("amount_discount").asText(),
                first.get("amount_tax").asText(), first.get("amount_total").asText()))
                .containsExactly("3", "30.00", "10", "20", "90.00", "9.00", "16.20", "97.20");
        var second = body.get("line_items").get(1);
        assertThat(second.get("discount_percent").isNull()).isTrue();
        assertThat(second.get("amount_total").asText()).isEqualTo("1.80");

        String id = body.get("id").asText();
        assertThat(jdbc.queryForObject("SELECT payload_revision FROM command.domain_event_entry"
                + " WHERE aggregate_identifier = ?", String.class, id)).isEqualTo("2");
        var relayed = LedgerJson.mapper().readTree(awaitRecordFor(id).value());
        assertThat(relayed.get("schema_revision").asInt()).isEqualTo(2);
        assertThat(relayed.at("/line_items/0/amount_total/amount").asText()).isEqualTo("97.20");
        // The same sum sent as amount too is accepted.
        assertThat(api().post("/v1/invoices", store[1], "{\"amount\":\"2\",\"line_items\":[{\"description\":\"a\","
                + "\"quantity\":\"1\",\"unit_amount\":\"2.00\"}]}").status()).isEqualTo(201);
    }

    @Test
    void badLineItemsAreA400NamingTheLineAndFieldAndWriteNothing() {
        String key = api().storeWithKey(ADMIN, "invoices:write")[1];
        Integer before = jdbc.queryForObject("SELECT count(*) FROM command.domain_event_entry", Integer.class);
        String line = "{\"description\":\"a\",\"quantity\":\"1\",\"unit_amount\":\"2.00\"}";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"amount\":\"3.00\",\"line_items\":[" + line + "]}", "amount");
        cases.put("{\"line_items\":[]}", "line_items");
        cases.put("{\"line_items\":[" + (line + ",").repeat(100) + line + "]}", "line_items");
        cases.put("{\"line_items\":[" + line + ",{\"quantity\":\"1\",\"unit_amount\":\"2\"}]}",
                "line_items[1].description");
        cases.put("{\"line_items\":[{\"description\":\"a\",\"quantity\":\"0\",\"unit_amount\":\"2\"}]}",
                "line_items[0].quantity");
        cases.put("{\"line_items\":[{\"description\":\"a\",\"quantity\":\"1.0000001\",\"unit_amount\":\"2\"}]}",
                "line_items[0].quantity");
        cases.put("{\"line_items\":[{\"description\":\"a\",\"quantity\":\"-1\",\"unit_amount\":\"2\"}]}",
                "line_items[0].quantity");
        cases.put("{\"currency\":\"JPY\",\"line_items\":[{\"description\":\"a\",\"quantity\":\"1\","
                + "\"unit_amount\":\"2.5\"}]}", "line_items[0].unit_amount");
        cases.put("{\"line_items\":[{\"description\":\"a\",\"quantity\":\"1\",\"unit_amount\":\"2\","
                + "\"tax_percent\":\"100.5\"}]}", "line_items[0].tax_percent");
        cases.put("{\"line_items\":[{\"description\":\"a\",\"quantity\":\"1\",\"unit_amount\":\"2\","
                + "\"discount_percent\":\"1e1\"}]}", "line_items[0].discount_percent");
        cases.put("{\"line_items\":[{\"description\":\"a\",\"quantity\":\"1\",\"unit_amount\":\"0.00\"}]}",
                "line_items");
        cases.put("{\"amount\":\"0\",\"line_items\":[{\"description\":\"a\",\"quantity\":\"1\","
                + "\"unit_amount\":\"0.00\"}]}", "line_items");
        cases.put("{\"line_items\":[{\"description\":\"a\",\"quantity\":\"1000000000\",\"unit_amount\":\"2\"}]}",
                "line_items");
        cases.put("{\"line_items\":[null]}", "line_items[0]");
        cases.put("{\"line_items\":[{\"description\":\"a\",\"quantity\":\"1\",\"unit_amount\":\"2\","
                + "\"colour\":\"red\"}]}", "line_items[0].colour");
        cases.forEach((json, param) -> {
            var response = api().post("/v1/invoices", key, json);
            assertThat(response.status()).as(json + " → " + response.raw()).isEqualTo(400);
            assertThat(response.json().get("param").asText()).as(json + " → " + response.raw()).isEqualTo(param);
        });
        assertThat(jdbc.queryForObject("SELECT count(*) FROM command.domain_event_entry", Integer.class)).isEqualTo(before);
    }

    /**
     * An invoice created before line items was stored as revision 1, without a payload revision. The relay sends
     * it upcast to revision 2, and the aggregate loads it: a payment on it succeeds.
     */
    @Test
    void aRevision1InvoiceCreatedIsUpcastForTheRelayAndTheAggregate() throws Exception {
        String[] store = api().storeWithKey(ADMIN, "invoices:write", "payments:write");
        String template = api().post("/v1/invoices", store[1], "{\"amount\":\"10.00\"}").json().get("id").asText();
        String old = "inv_Revision1" + System.nanoTime();
        var json = (ObjectNode) LedgerJson.mapper().readTree(jdbc.queryForObject(
                "SELECT convert_from(payload, 'UTF8') FROM command.domain_event_entry WHERE aggregate_identifier = ?",
                String.class, template));
        json.remove("line_items");
        json.put("schema_revision", 1).put("invoice_id", old).put("event_id", "evt_" + old.substring(4));
        jdbc.update("""
                INSERT INTO command.domain_event_entry (event_identifier, aggregate_identifier, sequence_number, type,
                    time_stamp, payload_type, payload_revision, payload, meta_data)
                SELECT ?, ?, 0, type, time_stamp, payload_type, NULL, ?, meta_data
                FROM command.domain_event_entry WHERE aggregate_identifier = ?""",
                UUID.randomUUID().toString(), old, LedgerJson.mapper().writeValueAsBytes(json), template);

        var relayed = LedgerJson.mapper().readTree(awaitRecordFor(old).value());
        assertThat(relayed.get("schema_revision").asInt()).isEqualTo(2);
        assertThat(relayed.get("line_items").isArray()).isTrue();
        assertThat(relayed.get("line_items").isEmpty()).isTrue();
        var paid = api().post("/v1/invoices/" + old + "/payments", store[1],
                "{\"amount\":\"10.00\",\"currency\":\"USD\",\"reference\":\"r1\"}");
        assertThat(paid.status()).as(paid.raw()).isEqualTo(201);
        assertThat(paid.json().at("/invoice/status").asText()).isEqualTo("paid");
        assertThat(paid.json().at("/invoice/line_items").isEmpty()).isTrue();
    }

    /**
     * A create under an Idempotency-Key commits after Axon's unit of work; the relay must still be woken by
     * that commit rather than find nothing and sleep the event store's 1 s fetch delay. Idle, the relay
     * sends within milliseconds of the commit; 1 s later means it slept.
     */
    @Test
    void anIdleRelaySendsAnEventCommittedUnderAnIdempotencyKeyAtOnce() {
        String[] store = api().storeWithKey(ADMIN, "invoices:write");
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var response = api().post("/v1/invoices", store[1], "{\"amount\":\"5.00\"}",
                    "Idempotency-Key", "relay-wake-" + System.nanoTime());
            long answeredAt = System.currentTimeMillis();
            assertThat(response.status()).as(response.raw()).isEqualTo(201);
            ConsumerRecord<String, String> relayed = awaitRecordFor(response.json().get("id").asText());
            delays.add(relayed.timestamp() - answeredAt);
        }
        delays.sort(null);
        assertThat(delays.get(1)).as("ms from the answer to the relay's send, sorted: %s", delays).isLessThan(500);
    }

    @Test
    void exposesCommandRateAndRelayLagMetrics() {
        String[] store = api().storeWithKey(ADMIN, "invoices:write");
        api().post("/v1/invoices", store[1], "{\"amount\":\"3.00\"}");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                api().get("/actuator/prometheus", null).raw())
                .containsPattern("ledger_commands_total\\{[^}]*command=\"CreateInvoice\"[^}]*outcome=\"accepted\"")
                .contains("ledger_relay_lag_seconds_count"));
    }

    @Test
    void refusesMissingUnknownAndUnderScopedKeys() {
        String body = "{\"amount\":\"1.00\"}";
        var missing = api().post("/v1/invoices", null, body);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("code").asText()).isEqualTo("unauthenticated");
        assertThat(missing.json().get("request_id").asText()).startsWith("req_");

        assertThat(api().post("/v1/invoices", "sk_test_DoesNotExist0000000000000", body).status()).isEqualTo(401);

        String[] readOnly = api().storeWithKey(ADMIN, "invoices:read");
        var forbidden = api().post("/v1/invoices", readOnly[1], body);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.json().get("code").asText()).isEqualTo("insufficient_scope");
    }

    @Test
    void revokedKeyStopsWorking() {
        String[] store = api().storeWithKey(ADMIN, "invoices:write");
        String keyId = jdbc.queryForObject("SELECT id FROM command.api_key WHERE store_id = ?", String.class, store[0]);
        assertThat(api().send("DELETE", "/admin/v1/stores/" + store[0] + "/api_keys/" + keyId, ADMIN, null).status())
                .isEqualTo(200);
        assertThat(api().post("/v1/invoices", store[1], "{\"amount\":\"1.00\"}").status()).isEqualTo(401);
    }

    @Test
    void errorsOutsideControllersAreAnsweredByTheLedgerErrorController(
            @Autowired @org.springframework.beans.factory.annotation.Qualifier("requestMappingHandlerMapping")
            org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping mappings) {
        // Otherwise a failure in a filter (e.g. the database gone) would fall through to "no such URL", a 404.
        assertThat(mappings.getHandlerMethods().entrySet()).anySatisfy(e -> {
            assertThat(e.getKey().getPatternValues()).contains("/error");
            assertThat(e.getValue().getBeanType()).isEqualTo(ledger.support.web.LedgerErrorController.class);
        });
    }

    @Test
    void adminApiNeedsTheAdminToken() {
        assertThat(api().post("/admin/v1/stores", null, "{}").status()).isEqualTo(401);
        assertThat(api().post("/admin/v1/stores", "wrong", "{}").status()).isEqualTo(401);
    }

    @Test
    void keysAreStoredOnlyAsHashes() {
        String[] store = api().storeWithKey(ADMIN, "invoices:write");
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM command.api_key WHERE store_id = ?", store[0]);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).values().toString()).doesNotContain(store[1]);
    }

    @Test
    void badInputIsA4xxWithAMachineCodeAndNothingIsWritten() {
        String[] store = api().storeWithKey(ADMIN, "invoices:write");
        Integer before = jdbc.queryForObject("SELECT count(*) FROM command.domain_event_entry", Integer.class);
        Map<String, String> cases = Map.of(
                "{\"amount\":\"1e3\"}", "parameter_invalid",
                "{\"amount\":\"1.001\"}", "parameter_invalid",
                "{\"amount\":99.0}", "parameter_invalid",
                "{\"currency\":\"USD\"}", "parameter_missing",
                "{\"amount\":\"1.00\",\"currency\":\"ZZZ\"}", "parameter_invalid",
                "{\"amount\":\"1.00\",\"amout\":\"2\"}", "parameter_unknown",
                "{\"amount\":", "invalid_json",
                "{\"amount\":\"1.00\",\"store_id\":\"st_someoneElse\"}", "store_mismatch");
        cases.forEach((json, code) -> {
            var response = api().post("/v1/invoices", store[1], json);
            assertThat(response.status()).as(json).isBetween(400, 499);
            assertThat(response.json().get("code").asText()).as(json).isEqualTo(code);
        });
        // found by HostileInputIT: a null scope made Set.of(...).contains throw (a 500)
        var nullScope = api().post("/admin/v1/stores/" + store[0] + "/api_keys", ADMIN, "{\"scopes\":[null]}");
        assertThat(nullScope.status()).as(nullScope.raw()).isEqualTo(400);
        assertThat(nullScope.json().get("param").asText()).isEqualTo("scopes");
        var huge = api().post("/v1/invoices", store[1], "{\"description\":\"" + "x".repeat(70_000) + "\"}");
        assertThat(huge.status()).isEqualTo(400);
        assertThat(huge.json().get("code").asText()).isEqualTo("body_too_large");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM command.domain_event_entry", Integer.class)).isEqualTo(before);
    }

    /**
     * A store or key is announced only once its row committed: here PostgreSQL refuses the commit itself
     * (a deferred constraint trigger), and neither the access topic nor this service's registry may know it.
     */
    @Test
    void aStoreOrKeyWhoseCommitFailsIsNeverPublished() {
        String marker = "refused-at-commit-" + System.nanoTime();
        String[] store = api().storeWithKey(ADMIN, "invoices:write");
        jdbc.execute("""
                CREATE FUNCTION command.refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'commit refused by the test'; END $$""");
        jdbc.execute("CREATE CONSTRAINT TRIGGER refuse_store AFTER INSERT ON command.store DEFERRABLE INITIALLY DEFERRED"
                + " FOR EACH ROW WHEN (NEW.name = '" + marker + "') EXECUTE FUNCTION command.refuse_at_commit()");
        jdbc.execute("CREATE CONSTRAINT TRIGGER refuse_key AFTER INSERT ON command.api_key DEFERRABLE INITIALLY DEFERRED"
                + " FOR EACH ROW WHEN (NEW.store_id = '" + store[0] + "') EXECUTE FUNCTION command.refuse_at_commit()");
        String key = "sk_test_" + marker.replace("-", "");
        try {
            var refusedStore = api().post("/admin/v1/stores", ADMIN, "{\"name\":\"" + marker + "\"}");
            var refusedKey = api().post("/admin/v1/stores/" + store[0] + "/api_keys", ADMIN,
                    "{\"mode\":\"test\",\"scopes\":[\"invoices:write\"],\"key\":\"" + key + "\"}");
            assertThat(refusedStore.status()).as(refusedStore.raw()).isGreaterThanOrEqualTo(500);
            assertThat(refusedKey.status()).as(refusedKey.raw()).isGreaterThanOrEqualTo(500);
        } finally {
            jdbc.execute("DROP FUNCTION command.refuse_at_commit() CASCADE");
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM command.store WHERE name = ?", Integer.class, marker))
                .isZero();
        assertThat(api().post("/v1/invoices", key, "{\"amount\":\"1.00\"}").status())
                .as("this service's registry does not know the key").isEqualTo(401);
        // Every send completes before its request is answered, so whatever was sent is on the topic by now.
        assertThat(accessTopic()).noneSatisfy(value -> assertThat(value).contains(marker))
                .noneSatisfy(value -> assertThat(value).contains(ApiKeys.hash(key)));
    }

    /** Writes stay accepted while the relay is stopped, but health says events no longer reach Kafka. */
    @Test
    void healthIsDownWhileTheKafkaRelayIsStoppedAndUpOnceItRunsAgain(@Autowired EventProcessingConfiguration processing) {
        var relay = processing.eventProcessor("kafka-relay").orElseThrow();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var health = api().get("/actuator/health", null);
            assertThat(health.json().at("/components/kafkaBroker/status").asText()).isEqualTo("UP");
            assertThat(health.json().at("/components/relayLag/status").asText()).isEqualTo("UP");
        });
        relay.shutDown();
        try {
            String[] store = api().storeWithKey(ADMIN, "invoices:write");
            assertThat(api().post("/v1/invoices", store[1], "{\"amount\":\"1.00\"}").status()).isEqualTo(201);
            var stalled = api().get("/actuator/health", null);
            assertThat(stalled.status()).isEqualTo(503);
            assertThat(stalled.json().at("/components/relayLag/status").asText()).isEqualTo("DOWN");
        } finally {
            relay.start();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var health = api().get("/actuator/health", null);
            assertThat(health.status()).as(health.raw()).isEqualTo(200);
            assertThat(health.json().at("/components/relayLag/details/lag").asText()).isEqualTo("PT0S");
        });
    }

    private List<String> accessTopic() {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LedgerInfrastructure.servers().bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, String>(props)) {
            var partition = new TopicPartition("ledger.access", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return consumer.position(partition) >= end;
            });
        }
        return values;
    }

    /** Lengths count characters (code points, SPEC §4.1): an emoji is one character, not two UTF-16 units. */
    @Test
    void lengthLimitsCountCharactersNotUtf16Units() {
        String emoji = "\uD83D\uDE00";
        var store = api().post("/admin/v1/stores", ADMIN, "{\"name\":\"" + emoji.repeat(255) + "\"}");
        assertThat(store.status()).as(store.raw()).isEqualTo(201);
        assertThat(api().post("/admin/v1/stores", ADMIN, "{\"name\":\"" + emoji.repeat(256) + "\"}").status())
                .isEqualTo(400);
        String key = api().storeWithKey(ADMIN, "invoices:write")[1];
        var created = api().post("/v1/invoices", key, "{\"amount\":\"1.00\",\"description\":\"" + emoji.repeat(200)
                + "\",\"external_order_id\":\"" + emoji.repeat(255) + "\",\"metadata\":{\"" + emoji.repeat(40) + "\":\"v\"}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.json().get("description").asText()).isEqualTo(emoji.repeat(200));
        var tooLong = api().post("/v1/invoices", key, "{\"amount\":\"1.00\",\"description\":\"" + emoji.repeat(256) + "\"}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("param").asText()).isEqualTo("description");
        String invoice = created.json().get("id").asText();
        var cancelled = api().post("/v1/invoices/" + invoice + "/cancel", key, "{\"reason\":\"" + emoji.repeat(255) + "\"}");
        assertThat(cancelled.status()).as(cancelled.raw()).isEqualTo(200);
    }

    private ConsumerRecord<String, String> awaitRecordFor(String invoiceId) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LedgerInfrastructure.servers().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "command-it-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, String>(props)) {
            consumer.subscribe(List.of("ledger.invoice-events"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (invoiceId.equals(r.key())) {
                        found.add(r);
                    }
                });
                return !found.isEmpty();
            });
        }
        return found.get(0);
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
