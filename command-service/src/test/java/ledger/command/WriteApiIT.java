package ledger.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import ledger.events.EventId;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.Money;
import ledger.events.PaymentId;
import ledger.events.PaymentReceived;
import ledger.events.StoreId;
import ledger.testsupport.ApiClient;
import ledger.testsupport.LedgerInfrastructure;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;

/** The write API of SPEC §4.2 on real PostgreSQL and Kafka, including a second command-service instance. */
@AutoConfigureObservability // same context as CommandServiceIT
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ledger.admin-token=test-admin-token")
@ContextConfiguration(initializers = LedgerInfrastructure.Initializer.class)
class WriteApiIT {

    static final String ADMIN = "test-admin-token";
    static final ExecutorService POOL = Executors.newFixedThreadPool(25);

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    String key;

    @BeforeEach
    void store() {
        key = api().storeWithKey(ADMIN, "invoices:write", "payments:write")[1];
    }

    @AfterAll
    static void stopPool() {
        POOL.shutdownNow();
    }

    ApiClient api() {
        return new ApiClient("http://localhost:" + port);
    }

    String createInvoice(ApiClient api, String json) {
        var created = api.post("/v1/invoices", key, json);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    static String payment(String amount, String reference) {
        return "{\"amount\":\"" + amount + "\",\"currency\":\"USD\",\"reference\":\"" + reference + "\"}";
    }

    /** A second command-service in this JVM on the same database and broker, as a second instance would be. */
    static ConfigurableApplicationContext secondInstance() {
        var servers = LedgerInfrastructure.servers();
        return new SpringApplicationBuilder(CommandServiceApplication.class).run("--server.port=0",
                "--spring.datasource.url=" + servers.jdbcUrl(), "--spring.datasource.username=" + servers.user(),
                "--spring.datasource.password=" + servers.password(),
                "--spring.kafka.bootstrap-servers=" + servers.bootstrapServers(),
                "--ledger.admin-token=" + ADMIN, "--spring.jmx.enabled=false");
    }

    static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    <T> List<T> concurrently(List<Callable<T>> calls) throws Exception {
        List<T> results = new ArrayList<>();
        for (Future<T> f : POOL.invokeAll(calls)) {
            results.add(f.get());
        }
        return results;
    }

    void assertPaidExactly(String invoice, String amountPaid, int payments) {
        Integer events = jdbc.queryForObject("""
                SELECT count(*) FROM command.domain_event_entry
                WHERE aggregate_identifier = ? AND payload_type = 'ledger.events.PaymentReceived'""", Integer.class, invoice);
        assertThat(events).isEqualTo(payments);
        var last = api().post("/v1/invoices/" + invoice + "/payments", key, payment("0.01", "probe")).json();
        assertThat(last.at("/invoice/amount_paid").asText())
                .isEqualTo(new java.math.BigDecimal(amountPaid).add(new java.math.BigDecimal("0.01")).toPlainString());
        assertThat(last.at("/invoice/payments").size()).isEqualTo(payments + 1);
    }

    @Test
    void fiftyConcurrentPaymentsOnOneInvoiceAreAllRecorded() throws Exception {
        String invoice = createInvoice(api(), "{\"amount\":\"100.00\"}");
        List<Callable<String>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String reference = "pay-" + i;
            calls.add(() -> {
                var response = api().post("/v1/invoices/" + invoice + "/payments", key, payment("1.00", reference));
                return response.status() == 201 ? "201" : response.status() + " " + response.raw();
            });
        }
        assertThat(concurrently(calls)).containsOnly("201");
        assertPaidExactly(invoice, "50.00", 50);
    }

    @Test
    void fiftyConcurrentPaymentsThroughTwoInstancesAreAllRecorded() throws Exception {
        String invoice = createInvoice(api(), "{\"amount\":\"100.00\"}");
        try (var second = secondInstance()) {
            var other = new ApiClient("http://localhost:" + port(second));
            List<Callable<String>> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String reference = "pay-" + i;
                var target = i % 2 == 0 ? api() : other;
                // Half of them under an Idempotency-Key: a conflict is then retried inside the request's transaction.
                String[] idempotencyKey = i % 4 < 2 ? new String[] {"Idempotency-Key", reference + System.nanoTime()}
                        : new String[0];
                calls.add(() -> {
                    var response = target.post("/v1/invoices/" + invoice + "/payments", key, payment("1.00", reference),
                            idempotencyKey);
                    return response.status() == 201 ? "201" : response.status() + " " + response.raw();
                });
            }
            assertThat(concurrently(calls)).containsOnly("201");
        }
        assertPaidExactly(invoice, "50.00", 50);
    }

    /**
     * The cross-instance conflict, made to happen: while a keyed payment's append waits on a table lock, the
     * lock's holder appends another payment at the same sequence, as a second instance would. The request's
     * insert then collides; its command is rolled back to its savepoint and decided again on the new state, in
     * the same request transaction — so the answer, the payment and the key's record commit together.
     */
    @Test
    void aKeyedPaymentThatLosesTheAppendRaceToAnotherInstanceIsDecidedAgainWithinItsRequest() throws Exception {
        String invoice = createInvoice(api(), "{\"amount\":\"10.00\"}");
        String idempotencyKey = "race-" + System.nanoTime();
        Future<ApiClient.Response> paying;
        try (Connection otherInstance = jdbc.getDataSource().getConnection()) {
            otherInstance.setAutoCommit(false);
            try (Statement lock = otherInstance.createStatement()) {
                lock.execute("LOCK TABLE command.domain_event_entry IN SHARE ROW EXCLUSIVE MODE");
            }
            paying = POOL.submit(() -> api().post("/v1/invoices/" + invoice + "/payments", key,
                    payment("1.00", "ours"), "Idempotency-Key", idempotencyKey));
            await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO domain_event_entry%'""", Integer.class) > 0);
            String store = jdbc.queryForObject("""
                    SELECT convert_from(payload, 'UTF8')::json ->> 'store_id' FROM command.domain_event_entry
                    WHERE aggregate_identifier = ?""", String.class, invoice);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            var usd = Currency.getInstance("USD");
            var theirs = new PaymentReceived(EventId.generate(), new InvoiceId(invoice), new StoreId(store), 2, now,
                    PaymentId.generate(), Money.parse("2.00", usd), "theirs", null, now, InvoiceStatus.PARTIALLY_PAID,
                    Money.parse("2.00", usd), Money.parse("8.00", usd));
            try (var append = otherInstance.prepareStatement("""
                    INSERT INTO command.domain_event_entry (event_identifier, aggregate_identifier, sequence_number, type,
                        time_stamp, payload_type, payload_revision, payload, meta_data)
                    SELECT ?, aggregate_identifier, 1, type, time_stamp, 'ledger.events.PaymentReceived', payload_revision,
                        ?, meta_data
                    FROM command.domain_event_entry WHERE aggregate_identifier = ? AND sequence_number = 0""")) {
                append.setString(1, UUID.randomUUID().toString());
                append.setBytes(2, LedgerJson.mapper().writeValueAsBytes(theirs));
                append.setString(3, invoice);
                assertThat(append.executeUpdate()).isEqualTo(1);
            }
            otherInstance.commit();
        }

        var paid = paying.get(30, TimeUnit.SECONDS);
        assertThat(paid.status()).as(paid.raw()).isEqualTo(201);
        assertThat(paid.json().at("/invoice/amount_paid").asText()).isEqualTo("3.00");
        assertThat(paid.json().at("/invoice/version").asLong()).isEqualTo(3);
        assertThat(paid.header("Ledger-Version")).contains("3");
        var replay = api().post("/v1/invoices/" + invoice + "/payments", key, payment("1.00", "ours"),
                "Idempotency-Key", idempotencyKey);
        assertThat(replay.header("Idempotent-Replayed")).contains("true");
        assertThat(replay.raw()).isEqualTo(paid.raw());
        assertPaidExactly(invoice, "3.00", 2);
    }

    /**
     * A keyed create runs in the request's transaction itself, with no savepoint ({@code Commands.create}): its
     * checkout token's row carries the same transaction id as its kept answer. A keyed payment keeps its savepoint,
     * so that a retry after a concurrent append undoes only its attempt: its event's row carries a subtransaction's.
     */
    @Test
    void aKeyedCreateTakesNoSavepointAKeyedPaymentDoes() {
        String createKey = "xact-create-" + System.nanoTime();
        var created = api().post("/v1/invoices", key, "{\"amount\":\"10.00\"}", "Idempotency-Key", createKey);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        String invoice = created.json().get("id").asText();
        assertThat(jdbc.queryForObject("""
                SELECT t.xmin::text = k.xmin::text FROM checkout_token t, idempotency_key k
                WHERE t.invoice_id = ? AND k.key = ?""", Boolean.class, invoice, createKey)).isTrue();

        String payKey = "xact-pay-" + System.nanoTime();
        var paid = api().post("/v1/invoices/" + invoice + "/payments", key, payment("1.00", "xact"),
                "Idempotency-Key", payKey);
        assertThat(paid.status()).as(paid.raw()).isEqualTo(201);
        assertThat(jdbc.queryForObject("""
                SELECT e.xmin::text = k.xmin::text FROM domain_event_entry e, idempotency_key k
                WHERE e.aggregate_identifier = ? AND e.sequence_number = 1 AND k.key = ?""",
                Boolean.class, invoice, payKey)).isFalse();
    }

    @Test
    void tenConcurrentCreatesWithOneIdempotencyKeyMakeOneInvoice() throws Exception {
        String idempotencyKey = "create-" + System.nanoTime();
        String body = "{\"amount\":\"10.00\",\"description\":\"once\"}";
        List<Callable<ApiClient.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(() -> api().post("/v1/invoices", key, body, "Idempotency-Key", idempotencyKey));
        }
        var responses = concurrently(calls);
        var created = responses.stream().filter(r -> r.status() == 201).map(r -> r.json().get("id").asText()).distinct()
                .toList();
        assertThat(created).hasSize(1);
        assertThat(responses).allSatisfy(r -> {
            assertThat(r.status()).isIn(201, 409);
            if (r.status() == 409) {
                assertThat(r.json().get("code").asText()).isEqualTo("idempotency_request_in_progress");
            }
        });
        // Once the first finished, the same request replays it exactly.
        var replay = api().post("/v1/invoices", key, body, "Idempotency-Key", idempotencyKey);
        assertThat(replay.status()).isEqualTo(201);
        assertThat(replay.header("Idempotent-Replayed")).contains("true");
        assertThat(replay.json().get("id").asText()).isEqualTo(created.get(0));
        assertThat(replay.header("Location")).contains("/v1/invoices/" + created.get(0));
        var reused = api().post("/v1/invoices", key, "{\"amount\":\"11.00\"}", "Idempotency-Key", idempotencyKey);
        assertThat(reused.status()).isEqualTo(409);
        assertThat(reused.json().get("code").asText()).isEqualTo("idempotency_key_reused");
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM command.domain_event_entry WHERE payload_type = 'ledger.events.InvoiceCreated'
                AND convert_from(payload, 'UTF8') LIKE '%"description":"once"%'""", Integer.class)).isEqualTo(1);
    }

    /** A refusal rolls back the request's transaction, yet its answer is kept and replayed under the key. */
    @Test
    void aRefusedRequestsAnswerIsKeptForItsIdempotencyKey() {
        String invoice = createInvoice(api(), "{\"amount\":\"5.00\"}");
        assertThat(api().post("/v1/invoices/" + invoice + "/cancel", key, null).status()).isEqualTo(200);
        String idempotencyKey = "refused-" + System.nanoTime();

        var refused = api().post("/v1/invoices/" + invoice + "/payments", key, payment("5.00", idempotencyKey),
                "Idempotency-Key", idempotencyKey);
        var again = api().post("/v1/invoices/" + invoice + "/payments", key, payment("5.00", idempotencyKey),
                "Idempotency-Key", idempotencyKey);

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("code").asText()).isEqualTo("invoice_not_payable");
        assertThat(refused.header("Idempotent-Replayed")).isEmpty();
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.header("Idempotent-Replayed")).contains("true");
        assertThat(again.json().get("code").asText()).isEqualTo("invoice_not_payable");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM command.domain_event_entry WHERE aggregate_identifier = ?",
                Integer.class, invoice)).isEqualTo(2);
    }

    /**
     * A request's Idempotency-Key record commits with its work, so a request cut off mid-way (here: its
     * database session killed while one of its writes waits, as when the database or its instance dies)
     * leaves the key free for the client's retry at once — not held "in progress" for minutes — and leaves
     * nothing behind: no copy of the command is retried outside the request, so the key's work runs once.
     * Cut at the append ({@code domain_event_entry}) and at a write inside the command handler
     * ({@code checkout_token}), which fail as different exceptions.
     */
    @ParameterizedTest
    @ValueSource(strings = {"domain_event_entry", "checkout_token"})
    void aRequestCutOffMidwayLeavesNothingCommittedAndItsRetryRunsAtOnce(String cutAt) throws Exception {
        String idempotencyKey = "cut-" + System.nanoTime();
        String body = "{\"amount\":\"12.00\",\"description\":\"" + idempotencyKey + "\"}";
        Future<ApiClient.Response> first;
        try (Connection blocker = jdbc.getDataSource().getConnection()) {
            blocker.setAutoCommit(false);
            try (Statement lock = blocker.createStatement()) {
                lock.execute("LOCK TABLE command." + cutAt + " IN SHARE ROW EXCLUSIVE MODE");
            }
            first = POOL.submit(() -> api().post("/v1/invoices", key, body, "Idempotency-Key", idempotencyKey));
            Integer appending = await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.query("""
                    SELECT pid FROM pg_stat_activity
                    WHERE wait_event_type = 'Lock' AND query LIKE ?""",
                    (rs, i) -> rs.getInt(1), "INSERT INTO " + cutAt + "%").stream().findFirst().orElse(null),
                    Objects::nonNull);

            assertThat(jdbc.queryForObject("SELECT count(*) FROM command.idempotency_key WHERE key = ?",
                    Integer.class, idempotencyKey)).as("records committed while the request runs").isZero();
            var duplicate = api().post("/v1/invoices", key, body, "Idempotency-Key", idempotencyKey);
            assertThat(duplicate.status()).isEqualTo(409);
            assertThat(duplicate.json().get("code").asText()).isEqualTo("idempotency_request_in_progress");

            jdbc.queryForObject("SELECT pg_terminate_backend(?)", Boolean.class, appending);
            blocker.rollback();
        }
        assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(503);
        Thread.sleep(500); // time for a stray retry of the command, had one been scheduled, to commit
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM command.domain_event_entry WHERE payload_type = 'ledger.events.InvoiceCreated'
                AND convert_from(payload, 'UTF8') LIKE ?""", Integer.class, "%" + idempotencyKey + "%"))
                .as("invoices created by the request that answered 503").isZero();

        var retry = api().post("/v1/invoices", key, body, "Idempotency-Key", idempotencyKey);
        assertThat(retry.status()).as(retry.raw()).isEqualTo(201);
        assertThat(retry.header("Idempotent-Replayed")).isEmpty();
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM command.domain_event_entry WHERE payload_type = 'ledger.events.InvoiceCreated'
                AND convert_from(payload, 'UTF8') LIKE ?""", Integer.class, "%" + idempotencyKey + "%")).isEqualTo(1);
        var replay = api().post("/v1/invoices", key, body, "Idempotency-Key", idempotencyKey);
        assertThat(replay.header("Idempotent-Replayed")).contains("true");
        assertThat(replay.json().get("id")).isEqualTo(retry.json().get("id"));
    }

    int expiries(String invoice) {
        return jdbc.queryForObject("""
                SELECT count(*) FROM command.domain_event_entry
                WHERE aggregate_identifier = ? AND payload_type = 'ledger.events.InvoiceExpired'""", Integer.class, invoice);
    }

    @Test
    void anInvoiceExpiresDurablyAcrossARestartOfTheInstanceThatCreatedIt() {
        String invoice;
        try (var first = secondInstance()) {
            invoice = createInvoice(new ApiClient("http://localhost:" + port(first)), "{\"amount\":\"5.00\",\"expires_in\":2}");
        }
        try (var restarted = secondInstance()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> expiries(invoice) == 1);
        }
        var late = api().post("/v1/invoices/" + invoice + "/payments", key, payment("5.00", "late"));
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.json().get("code").asText()).isEqualTo("invoice_not_payable");
        assertThat(expiries(invoice)).as("fires exactly once across instances").isEqualTo(1);
    }

    /**
     * SPEC §4.2, expiry "within seconds of the deadline" even when its first attempt fails, as it does when
     * PostgreSQL restarts under it: a trigger refuses the invoice's first expiry event, once (a sequence
     * counts the attempts outside their rolled-back transactions).
     */
    @Test
    void anExpiryWhoseFirstAttemptFailsIsRetriedWithinSeconds() {
        String invoice = createInvoice(api(), "{\"amount\":\"5.00\",\"expires_in\":3}");
        String suffix = invoice.toLowerCase(Locale.ROOT);
        jdbc.execute("CREATE SEQUENCE command.expiry_attempts_" + suffix);
        jdbc.execute("""
                CREATE FUNCTION command.refuse_first_expiry_%1$s() RETURNS trigger AS $$
                BEGIN
                    IF NEW.aggregate_identifier = '%2$s' AND NEW.payload_type = 'ledger.events.InvoiceExpired'
                            AND nextval('command.expiry_attempts_%1$s') = 1 THEN
                        RAISE EXCEPTION 'planted failure of the first expiry';
                    END IF;
                    RETURN NEW;
                END $$ LANGUAGE plpgsql""".formatted(suffix, invoice));
        jdbc.execute("CREATE TRIGGER refuse_first_expiry_" + suffix + " BEFORE INSERT ON command.domain_event_entry"
                + " FOR EACH ROW EXECUTE FUNCTION command.refuse_first_expiry_" + suffix + "()");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> expiries(invoice) == 1);
            assertThat(jdbc.queryForObject("SELECT last_value FROM command.expiry_attempts_" + suffix, Long.class))
                    .as("attempts: the planted failure, then the retry").isEqualTo(2);
        } finally {
            jdbc.execute("DROP TRIGGER refuse_first_expiry_" + suffix + " ON command.domain_event_entry");
            jdbc.execute("DROP FUNCTION command.refuse_first_expiry_" + suffix + "()");
            jdbc.execute("DROP SEQUENCE command.expiry_attempts_" + suffix);
        }
    }

    /**
     * SPEC §4.2: 8 threads × 200 creates spread over two instances take the store's numbers 1..1600 exactly once;
     * a refused create in between takes none, nor does one the key's rate limit turned away (a fast machine goes
     * over it), which is sent again after its Retry-After. Half the threads send an Idempotency-Key with each create,
     * whose answer is numbered as it commits.
     */
    @Test
    void racingCreatesOnTwoInstancesNumberInvoicesWithoutGapsOrRepeats() throws Exception {
        try (var other = secondInstance()) {
            var apis = List.of(api(), new ApiClient("http://localhost:" + port(other)));
            String taken = "order-" + UUID.randomUUID();
            createInvoice(api(), "{\"amount\":\"1.00\",\"external_order_id\":\"" + taken + "\"}");
            List<Callable<List<String>>> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                var api = apis.get(t % 2);
                boolean keyed = t >= 4;
                threads.add(() -> {
                    List<String> numbers = new ArrayList<>();
                    for (int i = 0; i < 200; i++) {
                        if (i == 100) { // refused after validation, in the aggregate: must take no number
                            var refused = createPastRateLimit(api,
                                    "{\"amount\":\"1.00\",\"external_order_id\":\"" + taken + "\"}");
                            assertThat(refused.status()).as(refused.raw()).isEqualTo(409);
                        }
                        var created = keyed
                                ? createPastRateLimit(api, "{\"amount\":\"1.00\"}", "Idempotency-Key",
                                        UUID.randomUUID().toString())
                                : createPastRateLimit(api, "{\"amount\":\"1.00\"}");
                        assertThat(created.status()).as(created.raw()).isEqualTo(201);
                        numbers.add(created.json().get("number").asText());
                    }
                    return numbers;
                });
            }
            List<String> all = new ArrayList<>();
            concurrently(threads).forEach(all::addAll);
            List<String> expected = new ArrayList<>();
            for (int n = 2; n <= 1601; n++) { // number 1 went to the invoice holding the order id
                expected.add("INV-%06d".formatted(n));
            }
            assertThat(all).hasSize(1600).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    /** A create sent again after each 429 of the key's write limit: a machine faster than the limit goes over it. */
    private ApiClient.Response createPastRateLimit(ApiClient api, String body, String... headers)
            throws InterruptedException {
        var response = api.post("/v1/invoices", key, body, headers);
        while (response.status() == 429) {
            Thread.sleep(1000L * Long.parseLong(response.header("Retry-After").orElse("1")));
            response = api.post("/v1/invoices", key, body, headers);
        }
        return response;
    }

    @Test
    void theNumberPrefixIsAStoreSettingAndEachModeHasItsOwnSequence() {
        String[] store = api().storeWithKey(ADMIN, "invoices:write");
        String testKey = store[1];
        String liveKey = api().post("/admin/v1/stores/" + store[0] + "/api_keys", ADMIN,
                "{\"mode\":\"live\",\"scopes\":[\"invoices:write\"]}").json().get("key").asText();
        String body = "{\"amount\":\"1.00\"}";
        assertThat(api().post("/v1/invoices", testKey, body).json().get("number").asText()).isEqualTo("INV-000001");
        assertThat(api().post("/v1/invoices", liveKey, body).json().get("number").asText()).isEqualTo("INV-000001");

        var bad = api().send("PATCH", "/admin/v1/stores/" + store[0], ADMIN, "{\"invoice_prefix\":\"acme-1\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("param").asText()).isEqualTo("invoice_prefix");
        assertThat(api().send("PATCH", "/admin/v1/stores/st_Nope000000000000000000", ADMIN,
                "{\"invoice_prefix\":\"ACME\"}").status()).isEqualTo(404);
        var updated = api().send("PATCH", "/admin/v1/stores/" + store[0], ADMIN, "{\"invoice_prefix\":\"ACME\"}");
        assertThat(updated.status()).as(updated.raw()).isEqualTo(200);
        assertThat(updated.json().get("invoice_prefix").asText()).isEqualTo("ACME");
        assertThat(updated.json().get("callback_secret").isNull()).as("shown only at creation").isTrue();

        assertThat(api().post("/v1/invoices", testKey, body).json().get("number").asText()).isEqualTo("ACME-000002");
        var replayed = List.of(
                api().post("/v1/invoices", testKey, body, "Idempotency-Key", "same-create"),
                api().post("/v1/invoices", testKey, body, "Idempotency-Key", "same-create"));
        assertThat(replayed).extracting(r -> r.json().get("number").asText()).containsExactly("ACME-000003",
                "ACME-000003");
        assertThat(api().post("/v1/invoices", testKey, body).json().get("number").asText()).isEqualTo("ACME-000004");
    }

    /**
     * A keyed create takes its store's numbering lock only as its transaction commits, as one without a key does
     * (V1004_1): while another transaction holds that lock, the create waits at its COMMIT, its answer already kept,
     * not at taking its number mid-request, where it would hold the lock across the rest of the request. It is
     * answered with its number, the kept answer shows the same, and the key replays it; so is a create whose key's
     * earlier record expired.
     */
    @Test
    void aKeyedCreateTakesItsNumberAsItCommitsAndIsAnsweredWithIt() throws Exception {
        String[] store = api().storeWithKey(ADMIN, "invoices:write");
        String idempotencyKey = "numbered-" + System.nanoTime();
        Future<ApiClient.Response> creating;
        try (Connection committingCreate = jdbc.getDataSource().getConnection()) {
            committingCreate.setAutoCommit(false);
            try (var lock = committingCreate.prepareStatement("SELECT pg_advisory_xact_lock(1, hashtext(?))")) {
                lock.setString(1, store[0] + ":test"); // V6's lock of the store's test-mode numbers
                lock.execute();
            }
            creating = POOL.submit(() -> api().post("/v1/invoices", store[1], "{\"amount\":\"1.00\"}",
                    "Idempotency-Key", idempotencyKey));
            String waiting = """
                    FROM pg_stat_activity a WHERE a.datname = current_database() AND a.wait_event_type = 'Lock'
                        AND a.wait_event = 'advisory'""";
            await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject("SELECT count(*) " + waiting,
                    Integer.class) > 0);
            assertThat(jdbc.queryForList("SELECT a.query " + waiting, String.class))
                    .as("what the keyed create waits for the store's numbers at").containsExactly("COMMIT");
            assertThat(jdbc.queryForObject("""
                    SELECT count(*) FROM pg_locks l WHERE l.relation = 'command.idempotency_key'::regclass
                        AND l.mode = 'RowExclusiveLock' AND l.pid IN""" + " (SELECT a.pid " + waiting + ")",
                    Integer.class)).as("its answer kept before").isEqualTo(1);
            committingCreate.rollback();
        }

        var created = creating.get(30, TimeUnit.SECONDS);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.json().get("number").asText()).isEqualTo("INV-000001");
        String kept = jdbc.queryForObject("""
                SELECT convert_from(response_body, 'UTF8') FROM command.idempotency_key WHERE key = ?""",
                String.class, idempotencyKey);
        assertThat(kept).isEqualTo(created.raw());
        var replay = api().post("/v1/invoices", store[1], "{\"amount\":\"1.00\"}", "Idempotency-Key", idempotencyKey);
        assertThat(replay.header("Idempotent-Replayed")).contains("true");
        assertThat(replay.raw()).isEqualTo(created.raw());

        // a key whose record expired: the answer is kept over the old one, and numbered as well
        String expiredKey = "expired-" + idempotencyKey;
        jdbc.update("""
                INSERT INTO command.idempotency_key (scope, key, fingerprint, response_status, response_headers,
                    response_body, created_at)
                VALUES (?, ?, repeat('0', 64), 201, '', convert_to('{}', 'UTF8'), now() - interval '25 hours')""",
                store[0] + "/test", expiredKey);
        var overExpired = api().post("/v1/invoices", store[1], "{\"amount\":\"1.00\"}", "Idempotency-Key", expiredKey);
        assertThat(overExpired.json().get("number").asText()).isEqualTo("INV-000002");
        assertThat(jdbc.queryForObject("""
                SELECT convert_from(response_body, 'UTF8') FROM command.idempotency_key WHERE key = ?""",
                String.class, expiredKey)).isEqualTo(overExpired.raw());
    }

    /** SPEC §4.2: a backdated due date is accepted, and the invoice goes overdue within seconds, once. */
    @Test
    void aBackdatedInvoiceGoesOverdueOnceWithinSecondsAndCanStillBePaid() {
        String invoice;
        try (var other = secondInstance()) { // two instances polling the same deadlines
            var created = api().post("/v1/invoices", key, "{\"amount\":\"5.00\",\"due_date\":\""
                    + java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(3) + "\",\"expires_in\":86400}");
            assertThat(created.status()).as(created.raw()).isEqualTo(201);
            assertThat(created.json().get("overdue").asBoolean()).isFalse();
            invoice = created.json().get("id").asText();
            await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.queryForObject("""
                    SELECT count(*) FROM command.domain_event_entry
                    WHERE aggregate_identifier = ? AND payload_type = 'ledger.events.InvoiceOverdue'""",
                    Integer.class, invoice) == 1);
        }
        var paid = api().post("/v1/invoices/" + invoice + "/payments", key, payment("5.00", "after-due"));
        assertThat(paid.status()).as(paid.raw()).isEqualTo(201);
        assertThat(paid.json().at("/invoice/status").asText()).isEqualTo("paid");
        assertThat(paid.json().at("/invoice/overdue").asBoolean()).isFalse();
        assertThat(paid.json().at("/invoice/overdue_at").isTextual()).isTrue();
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM command.domain_event_entry
                WHERE aggregate_identifier = ? AND payload_type = 'ledger.events.InvoiceOverdue'""", Integer.class, invoice))
                .as("fires exactly once across instances").isEqualTo(1);
    }

    @Test
    void paymentsCancellationAndTheirRefusalsFollowSection42() {
        String invoice = createInvoice(api(), "{\"amount\":\"99.00\",\"external_order_id\":\"ord-" + System.nanoTime() + "\"}");
        String pay = "/v1/invoices/" + invoice + "/payments";

        var partial = api().post(pay, key, payment("40", "r1"));
        assertThat(partial.status()).isEqualTo(201);
        assertThat(partial.header("Ledger-Version")).contains("2");
        assertThat(partial.json().at("/payment/id").asText()).startsWith("pay_");
        assertThat(partial.json().at("/invoice/status").asText()).isEqualTo("partially_paid");
        assertThat(partial.json().at("/invoice/amount_due").asText()).isEqualTo("59.00");

        var repeat = api().post(pay, key, payment("40.00", "r1"));
        assertThat(repeat.status()).isEqualTo(200);
        assertThat(repeat.json().at("/payment")).isEqualTo(partial.json().at("/payment"));
        assertThat(api().post(pay, key, payment("41.00", "r1")).json().get("code").asText())
                .isEqualTo("payment_reference_conflict");
        var euro = api().post(pay, key, "{\"amount\":\"1.00\",\"currency\":\"EUR\",\"reference\":\"r2\"}");
        assertThat(euro.status()).isEqualTo(400);
        assertThat(euro.json().get("code").asText()).isEqualTo("currency_mismatch");
        var cancel = api().post("/v1/invoices/" + invoice + "/cancel", key, null);
        assertThat(cancel.status()).isEqualTo(409);
        assertThat(cancel.json().get("code").asText()).isEqualTo("invoice_not_cancellable");

        var over = api().post(pay, key, payment("60.00", "r3"));
        assertThat(over.json().at("/invoice/status").asText()).isEqualTo("overpaid");
        assertThat(over.json().at("/invoice/amount_paid").asText()).isEqualTo("100.00");
        assertThat(over.json().at("/invoice/amount_overpaid").asText()).isEqualTo("1.00");
        assertThat(api().post(pay, key, payment("1.00", "r4")).json().get("code").asText())
                .isEqualTo("invoice_not_payable");

        String open = createInvoice(api(), "{\"amount\":\"5.00\"}");
        var cancelled = api().post("/v1/invoices/" + open + "/cancel", key, "{\"reason\":\"duplicate order\"}");
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("status").asText()).isEqualTo("cancelled");
        assertThat(cancelled.json().get("cancelled_at").isTextual()).isTrue();
        assertThat(cancelled.json().get("cancellation_reason").asText()).isEqualTo("duplicate order");
        var again = api().post("/v1/invoices/" + open + "/cancel", key, null);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json()).isEqualTo(cancelled.json());

        String otherStoreKey = api().storeWithKey(ADMIN, "payments:write")[1];
        var foreign = api().post(pay, otherStoreKey, payment("1.00", "x"));
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.json().get("code").asText()).isEqualTo("resource_missing");
        assertThat(api().post("/v1/invoices/inv_nothingHere/payments", key, payment("1.00", "x")).status())
                .isEqualTo(404);
    }

    /** The answer comes from the aggregate, no longer from reading the events back: both must agree. */
    @Test
    void aPaymentOrCancellationAnswersWithTheInvoiceItsStoredEventsFoldTo(@Autowired EventStore events,
                                                                           @Autowired ObjectMapper json) throws Exception {
        String invoice = createInvoice(api(), "{\"amount\":\"10.00\",\"metadata\":{\"order\":\"7\"}}");
        String pay = "/v1/invoices/" + invoice + "/payments";
        for (var body : List.of(payment("4.00", "a"), payment("4.00", "a"), payment("7.00", "b"))) {
            var answer = api().post(pay, key, body);
            assertThat(answer.json().get("invoice")).isEqualTo(folded(events, json, invoice));
            assertThat(answer.header("Ledger-Version")).contains(answer.json().at("/invoice/version").asText());
        }
        String open = createInvoice(api(), "{\"amount\":\"5.00\"}");
        for (var body : Arrays.asList("{\"reason\":\"r\"}", null)) { // the second cancel changes nothing
            var answer = api().post("/v1/invoices/" + open + "/cancel", key, body);
            assertThat(answer.json()).isEqualTo(folded(events, json, open));
        }
    }

    static JsonNode folded(EventStore events, ObjectMapper json, String invoice) throws Exception {
        List<LedgerEvent> history = new ArrayList<>();
        events.readEvents(invoice).asStream().forEach(m -> history.add((LedgerEvent) m.getPayload()));
        return json.readTree(json.writeValueAsString(InvoiceView.replay(history)));
    }

    @Test
    void anOpenExternalOrderIdIsUniquePerStoreUntilItsInvoiceIsFinal() {
        String order = "{\"amount\":\"5.00\",\"external_order_id\":\"o-" + System.nanoTime() + "\"}";
        String first = createInvoice(api(), order);
        var duplicate = api().post("/v1/invoices", key, order);
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().get("code").asText()).isEqualTo("duplicate_external_order_id");
        String otherKey = api().storeWithKey(ADMIN, "invoices:write")[1];
        assertThat(api().post("/v1/invoices", otherKey, order).status()).as("another store").isEqualTo(201);
        api().post("/v1/invoices/" + first + "/cancel", key, null);
        assertThat(api().post("/v1/invoices", key, order).status()).as("after cancellation").isEqualTo(201);
    }

    /** Test and live are two ledgers of one store (SPEC §3): the other mode's invoice is a missing one. */
    @Test
    void aKeyOfOneModeCannotPayOrCancelTheOtherModesInvoiceOfItsStore() {
        String[] store = api().storeWithKey(ADMIN, "invoices:write", "payments:write");
        String testKey = store[1];
        var issued = api().post("/admin/v1/stores/" + store[0] + "/api_keys", ADMIN,
                "{\"mode\":\"live\",\"scopes\":[\"invoices:write\",\"payments:write\"]}");
        assertThat(issued.status()).as(issued.raw()).isEqualTo(201);
        String liveKey = issued.json().get("key").asText();
        String order = "{\"amount\":\"5.00\",\"external_order_id\":\"both-" + System.nanoTime() + "\"}";

        var live = api().post("/v1/invoices", liveKey, order);
        assertThat(live.status()).as(live.raw()).isEqualTo(201);
        assertThat(live.json().get("livemode").asBoolean()).isTrue();
        var test = api().post("/v1/invoices", testKey, order);
        assertThat(test.status()).as("the same external_order_id in the other mode: " + test.raw()).isEqualTo(201);
        assertThat(api().post("/v1/invoices", testKey, order).json().get("code").asText())
                .isEqualTo("duplicate_external_order_id");
        String liveInvoice = live.json().get("id").asText();
        String testInvoice = test.json().get("id").asText();

        for (var crossed : List.of(
                api().post("/v1/invoices/" + liveInvoice + "/payments", testKey, payment("5.00", "x")),
                api().post("/v1/invoices/" + liveInvoice + "/cancel", testKey, null),
                api().post("/v1/invoices/" + testInvoice + "/payments", liveKey, payment("5.00", "x")),
                api().post("/v1/invoices/" + testInvoice + "/cancel", liveKey, null))) {
            assertThat(crossed.status()).as(crossed.raw()).isEqualTo(404);
            assertThat(crossed.json().get("code").asText()).isEqualTo("resource_missing");
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM command.domain_event_entry WHERE aggregate_identifier IN (?, ?)",
                Integer.class, liveInvoice, testInvoice)).as("nothing appended across modes").isEqualTo(2);
        assertThat(api().post("/v1/invoices/" + liveInvoice + "/payments", liveKey, payment("5.00", "x")).status())
                .isEqualTo(201);
        assertThat(api().post("/v1/invoices/" + testInvoice + "/cancel", testKey, null).status()).isEqualTo(200);
    }

    @Test
    void malformedRequestsAreNever5xxAndAlwaysCarryACode() {
        String invoice = createInvoice(api(), "{\"amount\":\"9.00\"}");
        List<String[]> cases = List.of(
                new String[] {"/v1/invoices", "not json"},
                new String[] {"/v1/invoices", "[]"},
                new String[] {"/v1/invoices", "null"},
                new String[] {"/v1/invoices", "{\"amount\":null}"},
                new String[] {"/v1/invoices", "{\"amount\":{\"x\":1}}"},
                new String[] {"/v1/invoices", "{\"amount\":\"-1\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"0\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1000000000.01\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"NaN\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"currency\":\"jpyy\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1.5\",\"currency\":\"JPY\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"expires_in\":0}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"expires_in\":2592001}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"expires_in\":1.5}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"expires_in\":\"soon\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"expires_at\":\"yesterday\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"expires_at\":\"2001-01-01T00:00:00Z\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"due_date\":\"2026-13-45\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"due_date\":\"+999999999-12-31\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"due_date\":\"-0001-01-01\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"due_date\":\"1969-12-31\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"callback_url\":\"http://example.com\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"return_url\":\"javascript:alert(1)\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"callback_url\":\"https://127.0.0.1/x\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"callback_url\":\"https://169.254.169.254/x\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"metadata\":[1]}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"metadata\":{\"a\":{\"b\":1}}}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"customer_email\":\"nope\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\",\"description\":\"" + "d".repeat(256) + "\"}"},
                new String[] {"/v1/invoices", "{\"amount\":\"1\"} trailing"},
                new String[] {"/v1/invoices/" + invoice + "/payments", "{}"},
                new String[] {"/v1/invoices/" + invoice + "/payments", "{\"amount\":\"1\",\"currency\":\"USD\"}"},
                new String[] {"/v1/invoices/" + invoice + "/payments",
                        "{\"amount\":\"1\",\"currency\":\"USD\",\"reference\":\"r\",\"received_at\":\"2999-01-01T00:00:00Z\"}"},
                new String[] {"/v1/invoices/" + invoice + "/payments",
                        "{\"amount\":1,\"currency\":\"USD\",\"reference\":\"r\"}"},
                new String[] {"/v1/invoices/" + invoice + "/cancel", "{\"reason\":7}"},
                new String[] {"/v1/invoices/%20/cancel", "{}"});
        for (String[] c : cases) {
            var response = api().post(c[0], key, c[1]);
            assertThat(response.status()).as(c[0] + " " + c[1] + " → " + response.raw()).isBetween(400, 499);
            assertThat(response.json().path("code").asText()).as(c[1]).isNotBlank();
            assertThat(response.raw()).doesNotContain("Exception", "at ledger.");
        }
        var keyTooLong = api().post("/v1/invoices", key, "{\"amount\":\"1\"}", "Idempotency-Key", "k".repeat(256));
        assertThat(keyTooLong.status()).isEqualTo(400);
    }
}
