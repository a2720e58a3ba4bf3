package ledger.local.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import ledger.local.LocalLedger;
import ledger.local.hostile.RawHttp.Header;
import ledger.local.hostile.RawHttp.Request;
import ledger.local.hostile.RawHttp.Response;
import ledger.testsupport.ApiClient;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import ledger.local.Folders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Thousands of generated and malformed requests against every public endpoint of the whole stack,
 * through the gateway, as a hostile or careless client would send them (jqwik properties; one stack for
 * the class). Whatever arrives, the ledger answers without a 5xx, without showing its insides, in the
 * §4.1 error shape (see {@link HouseRules}) — and a request it refuses writes nothing to the event store.
 *
 * <p>Tries per property: {@code jqwik.tries.default} in {@code junit-platform.properties} (CI size);
 * more with {@code -Djqwik.tries.default=5000}.
 */
class HostileInputIT {

    private static LocalLedger ledger;
    private static Path dataDir;
    private static RawHttp http;
    private static String adminToken;
    private static Fixtures fx;
    private static final AtomicLong sent = new AtomicLong();
    private static final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private static long began;
    /**
     * {@code -Dledger.hostile.survey=true}: record every broken rule instead of failing at the first, and
     * list them by kind at the end — to see all that is wrong at once rather than one shrunk sample.
     */
    private static final boolean SURVEY = Boolean.getBoolean("ledger.hostile.survey");
    private static final Map<String, List<String>> findings = new ConcurrentHashMap<>();

    /** What the properties aim at: real ids of the demo store, of a second store, and of a store kept for refusals. */
    record Fixtures(String storeId, String key, String openInvoice, String paidInvoice, String eventId, String endpointId,
                    String otherStoreId, String otherStoreReadKey, String otherStoreInvoice,
                    String refusalKey, String refusalReadOnlyKey, String refusalOpenInvoice, String refusalPaidInvoice,
                    String refusalCancelledInvoice) {
    }

    @BeforeContainer
    static void startTheLedger() throws IOException {
        began = System.nanoTime();
        dataDir = Files.createTempDirectory("hostile-input-it");
        Path repo = Path.of("").toAbsolutePath().getParent();
        ledger = new LocalLedger(LocalLedger.Config.ephemeral(repo, dataDir)
                .withServiceStartTimeout(Duration.ofSeconds(180))
                // Rate limits would turn a burst of hostile requests into 429s before they reach the
                // validation under test.
                .withExtraEnv(Map.of(
                        // Startup on two cores: see CrashRecoveryIT; throughput is not under test.
                        "JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
                        "LEDGER_RATE_LIMIT_WRITE_PER_SECOND", "100000", "LEDGER_RATE_LIMIT_WRITE_BURST", "100000",
                        "LEDGER_RATE_LIMIT_READ_PER_SECOND", "100000", "LEDGER_RATE_LIMIT_READ_BURST", "100000")));
        LocalLedger.Demo demo = ledger.start();
        adminToken = ledger.adminToken();
        http = new RawHttp(ledger.gatewayPort());
        fx = fixtures(new ApiClient(ledger.gatewayUrl()), demo);
        System.out.printf("hostile input: stack and fixtures ready in %.1f s%n", (System.nanoTime() - began) / 1e9);
    }

    @AfterContainer
    static void stopTheLedger() throws IOException {
        System.out.printf("hostile input: %d requests in %.1f s, by status %s%n", sent.get(),
                (System.nanoTime() - began) / 1e9, new TreeMap<>(statuses));
        try {
            if (ledger != null) {
                ledger.close();
            }
            if (dataDir != null) {
                Folders.delete(dataDir);
            }
        } finally {
            if (SURVEY) {
                System.out.println("hostile input survey: " + findings.size() + " kinds of broken rules");
                findings.forEach((kind, examples) -> {
                    System.out.println("── " + kind + " (" + examples.size() + ")");
                    examples.stream().limit(3).forEach(e -> System.out.println("   " + e.replace("\n", "\n   ")));
                });
                // Listed, not hidden: a survey with findings fails like the properties would have.
                assertThat(findings.keySet()).as("kinds of broken rules (examples above)").isEmpty();
            }
        }
    }

    // ---- properties -------------------------------------------------------------------------------

    @Property
    void hostileJsonBodiesAreRefusedCleanly(@ForAll("writes") Request request) {
        assertClean(request);
    }

    @Property
    void garbageIdsAndQueryStringsAreRefusedCleanly(@ForAll("reads") Request request) {
        assertClean(request);
    }

    @Property
    void missingOrBadCredentialsAreRefused(@ForAll("badCredentials") Request request) {
        Response response = assertClean(request);
        String answer = "\nrequest: " + request.describe() + "\nanswer: " + response.status() + " " + response.text();
        expect(response.status() >= 400 && response.status() < 500, "served without valid credentials" + answer);
        // A header Tomcat cannot accept (over 8 KiB, control characters) is refused by the container
        // (400, the gateway's JSON error valve) before any authentication can run.
        boolean refusedByContainer = response.status() == 400
                && response.text().contains("The request could not be processed (400)");
        if (request.note() != null && request.note().startsWith("unauthenticated") && !refusedByContainer) {
            expect(response.status() == 401 && response.text().contains("\"code\":\"unauthenticated\""),
                    "no valid credentials but not 401 unauthenticated" + answer);
        }
    }

    @Property
    void oddMethodsContentTypesAndPathsAreRefusedCleanly(@ForAll("oddRequests") Request request) {
        assertClean(request);
    }

    @Property
    void refusedWritesLeaveTheEventStoreUnchanged(@ForAll("refusals") List<Request> batch) throws SQLException {
        long before = requestWrittenEvents();
        for (Request request : batch) {
            Response response = assertClean(request);
            expect(response.status() >= 400 && response.status() < 500, "a write that must be refused was not"
                    + "\nrequest: " + request.describe() + "\nanswer: " + response.status() + " " + response.text());
        }
        long after = requestWrittenEvents();
        expect(after == before, "refused writes changed the event store: " + before + " → " + after + " events after "
                + batch);
    }

    // ---- generators -------------------------------------------------------------------------------

    /** Every write endpoint with its valid body mutated, or a broken body, mostly as JSON with good credentials. */
    @Provide
    Arbitrary<Request> writes() {
        List<Arbitrary<Request>> endpoints = new ArrayList<>();
        for (WriteEndpoint endpoint : writeEndpoints()) {
            Arbitrary<byte[]> body = Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(4, Hostile.mutated(endpoint.body()).map(s -> s.getBytes(StandardCharsets.UTF_8))),
                    net.jqwik.api.Tuple.of(1, Hostile.brokenBody()));
            Arbitrary<String> type = Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(6, Arbitraries.just("application/json")),
                    net.jqwik.api.Tuple.of(1, Hostile.contentType()));
            endpoints.add(Combinators.combine(body, type, idempotencyKey()).as((b, t, k) -> {
                List<Header> headers = new ArrayList<>(List.of(auth(endpoint.admin() ? adminToken : fx.key())));
                if (!t.isEmpty()) {
                    headers.add(new Header("Content-Type", t));
                }
                k.ifPresent(key -> headers.add(new Header("Idempotency-Key", key)));
                return new Request(endpoint.method(), endpoint.path(), headers, b, null);
            }));
        }
        return Arbitraries.oneOf(endpoints);
    }

    /** Every read endpoint with real or garbage ids and garbage query strings and headers. */
    @Provide
    Arbitrary<Request> reads() {
        Arbitrary<String> invoice = Arbitraries.oneOf(Arbitraries.of(fx.openInvoice(), fx.otherStoreInvoice()), Hostile.badId());
        Arbitrary<String> event = Arbitraries.oneOf(Arbitraries.just(fx.eventId()), Hostile.badId());
        Arbitrary<String> endpoint = Arbitraries.oneOf(Arbitraries.just(fx.endpointId()), Hostile.badId());
        Arbitrary<String> rebuild = Arbitraries.oneOf(Arbitraries.just("rb_" + "0".repeat(24)), Hostile.badId());
        Arbitrary<String> path = Arbitraries.oneOf(
                Arbitraries.of("/v1/invoices", "/v1/events", "/v1/reports/balances", "/v1/reports/aging",
                        "/v1/exports/events", "/v1/webhook_endpoints", "/v1/invoices/", "/v1/events/"),
                invoice.map(id -> "/v1/invoices/" + id),
                invoice.map(id -> "/v1/invoices/" + id + "/status"),
                invoice.map(id -> "/v1/invoices/" + id + "/events"),
                event.map(id -> "/v1/events/" + id),
                endpoint.map(id -> "/v1/webhook_endpoints/" + id),
                endpoint.map(id -> "/v1/webhook_endpoints/" + id + "/deliveries"),
                rebuild.map(id -> "/admin/v1/projections/invoices/rebuild/" + id),
                Arbitraries.just("/admin/v1/projections/invoices/rebuild"));
        Arbitrary<List<Header>> extra = Arbitraries.oneOf(
                Arbitraries.just(List.<Header>of()),
                Hostile.accept().map(a -> List.of(new Header("Accept", a))),
                Arbitraries.oneOf(Hostile.nastyText().map(Hostile::percentEncode), Hostile.jsonNumber())
                        .map(v -> List.of(new Header("Ledger-Version", v))),
                Arbitraries.of("req_", "req_" + "a".repeat(80), "garbage", "req_abc%00")
                        .map(v -> List.of(new Header("X-Request-Id", v))));
        return Combinators.combine(path, Hostile.queryString(), extra).as((p, q, h) -> {
            List<Header> headers = new ArrayList<>(h);
            headers.add(auth(p.startsWith("/admin") ? adminToken : fx.key()));
            return new Request("GET", p + q, headers, null, null);
        });
    }

    /** Real requests (valid bodies, real ids) with credentials that must not get them served. */
    @Provide
    Arbitrary<Request> badCredentials() {
        Arbitrary<List<Header>> unauthenticated = Arbitraries.oneOf(
                Arbitraries.just(List.<Header>of()),
                Arbitraries.of("", "Bearer", "Bearer ", "Bearer  ", "Basic dXNlcjpwYXNz", "Token " + fx.key(),
                        "Bearer sk_test_", "Bearer sk_live_" + "x".repeat(40), "Bearer " + fx.key() + "x",
                        "Bearer " + fx.key().substring(0, fx.key().length() - 1), "Bearer " + "k".repeat(10_000),
                        "Bearer sk_test_🙂🙂", "Bearer \u0000", "Bearer " + fx.key() + " " + fx.key(),
                        "Bearer admin", "Bearer null")
                        .map(v -> List.of(new Header("Authorization", v))));
        Arbitrary<Request> anonymous = Combinators.combine(anyRealRequest(), unauthenticated).as((r, auth) ->
                new Request(r.method(), r.target(), withoutAuth(r.headers(), auth), r.body(), "unauthenticated"));
        // The admin token is no API key, an API key no admin token; a read-only key of another store
        // may not write, nor see this store's resources.
        Arbitrary<Request> wrongKind = anyRealRequest().map(r -> {
            boolean admin = r.target().startsWith("/admin");
            String token = admin ? fx.key() : adminToken;
            return new Request(r.method(), r.target(), withoutAuth(r.headers(), List.of(auth(token))), r.body(),
                    admin ? "an API key on the admin API" : "the admin token on the merchant API");
        });
        // Lists are the key's own store's and rightly answer 200; a resource of this store or a write must not.
        Arbitrary<Request> otherStore = anyRealRequest()
                .filter(r -> !r.target().startsWith("/admin") && (!r.method().equals("GET") || namesAResource(r.target())))
                .map(r -> new Request(r.method(), r.target(), withoutAuth(r.headers(), List.of(auth(fx.otherStoreReadKey()))),
                        r.body(), "another store's read-only key"));
        return Arbitraries.oneOf(anonymous, wrongKind, otherStore);
    }

    @Provide
    Arbitrary<Request> oddRequests() {
        Arbitrary<String> path = Arbitraries.oneOf(
                anyRealRequest().map(Request::target),
                Arbitraries.of("/", "/v1", "/v1/", "/v2/invoices", "/v1/invoices/" + fx.openInvoice() + "/refunds",
                        "/admin", "/admin/v1/stores/" + fx.storeId(), "/actuator/env", "/actuator/heapdump",
                        "/actuator/shutdown", "/error", "/openapi.json", "/v1/invoices/../admin/v1/stores",
                        "/v1/invoices/%2e%2e/%2e%2e/admin/v1/stores", "//v1//invoices", "/v1/invoices;x=1",
                        "/V1/INVOICES", "/v1/invoices%00", "/v1/invoices/" + "a/".repeat(200), "*", "/checkout/x"));
        Arbitrary<byte[]> body = Arbitraries.oneOf(
                Arbitraries.just((byte[]) null),
                Arbitraries.just("{\"amount\":\"1.00\",\"currency\":\"USD\"}".getBytes(StandardCharsets.UTF_8)),
                Hostile.brokenBody());
        Arbitrary<List<Header>> headers = Combinators.combine(Hostile.contentType(), Hostile.accept(), idempotencyKey())
                .as((type, accept, key) -> {
                    List<Header> h = new ArrayList<>();
                    if (!type.isEmpty()) {
                        h.add(new Header("Content-Type", type));
                    }
                    if (!accept.isEmpty()) {
                        h.add(new Header("Accept", accept));
                    }
                    key.ifPresent(k -> h.add(new Header("Idempotency-Key", k)));
                    return h;
                });
        return Combinators.combine(Hostile.method(), path, body, headers).as((m, p, b, h) -> {
            List<Header> all = new ArrayList<>(h);
            all.add(auth(p.startsWith("/admin") ? adminToken : fx.key()));
            // Deleting the fixture endpoint would leave the other properties aiming at a 404.
            String target = m.equals("DELETE") ? p.replace(fx.endpointId(), "we_" + "0".repeat(24)) : p;
            return new Request(m, target, all, b, null);
        });
    }

    /**
     * Writes to the refusal store that must all be refused: invalid amounts and fields, payments the
     * invoice's state forbids, strangers' and missing invoices, no or insufficient credentials, broken
     * and oversize bodies, bad idempotency keys.
     */
    @Provide
    Arbitrary<List<Request>> refusals() {
        String key = fx.refusalKey();
        Arbitrary<String> badAmount = Arbitraries.oneOf(
                Arbitraries.of("\"0\"", "\"0.00\"", "\"-1.00\"", "\"1e3\"", "\"1E3\"", "\"1.001\"", "\"abc\"", "\"\"",
                        "\" 1.00\"", "\"1,00\"", "\"1000000000.01\"", "\"NaN\"", "\"Infinity\"", "\"0x10\"", "\"+1.00\"",
                        "\"١.٠٠\"", "12.5", "100", "null", "true", "{}", "[]", "\"" + "9".repeat(400) + "\""));
        Arbitrary<Map<String, String>> badCreateBody = Arbitraries.oneOf(
                badAmount.map(amount -> Map.of("amount", amount)),
                Combinators.combine(Arbitraries.strings().alpha().ofMinLength(3).ofMaxLength(10), Hostile.jsonValue())
                        .as((name, value) -> Map.of("unknown_" + name, value)),
                Arbitraries.of("0", "-5", "2592001", "\"3600\"", "1.5", "1e3", "\"soon\"", "{}")
                        .map(value -> Map.of("expires_in", value)),
                Arbitraries.of(Map.of("currency", "\"XXX\""), Map.of("currency", "\"\""), Map.of("currency", "1"),
                        Map.of("metadata", "{\"nested\":{\"too\":\"deep\"}}"), Map.of("metadata", "[]"),
                        Map.of("description", Hostile.quote("d".repeat(256))), Map.of("due_date", "\"2026-02-30\""),
                        Map.of("expires_at", "\"yesterday\""), Map.of("callback_url", "\"ftp://example.com\""),
                        Map.of("store_id", Hostile.quote(fx.storeId())), Map.of("amount", "\"10.00\"", "amount_paid", "\"10.00\"")));
        Arbitrary<Request> badCreate = badCreateBody.map(change -> {
            Map<String, String> body = new LinkedHashMap<>(Map.of("amount", "\"10.00\"", "currency", "\"USD\""));
            body.putAll(change);
            return write("POST", "/v1/invoices", key, json(body), "invalid create");
        });
        Arbitrary<Request> badPayment = Combinators.combine(
                Arbitraries.of(fx.refusalOpenInvoice(), fx.refusalPaidInvoice(), fx.refusalCancelledInvoice()), badAmount,
                Arbitraries.integers().between(0, 3)).as((invoice, amount, variant) -> {
                    Map<String, String> body = new LinkedHashMap<>(Map.of("amount", "\"1.00\"", "currency", "\"USD\"",
                            "reference", Hostile.quote("ref-" + UUID.randomUUID())));
                    if (invoice.equals(fx.refusalOpenInvoice())) {
                        switch (variant) {
                            case 0 -> body.put("amount", amount);
                            case 1 -> body.put("currency", "\"EUR\"");
                            case 2 -> body.remove("reference");
                            default -> body.put("received_at", "\"2999-01-01T00:00:00Z\"");
                        }
                    }
                    return write("POST", "/v1/invoices/" + invoice + "/payments", key, json(body), "refused payment");
                });
        String paid = "/v1/invoices/" + fx.refusalPaidInvoice();
        String open = "/v1/invoices/" + fx.refusalOpenInvoice();
        Arbitrary<Request> badCorrection = Combinators.combine(badAmount, Arbitraries.integers().between(0, 4))
                .as((amount, variant) -> switch (variant) {
                    case 0 -> write("POST", paid + "/refunds", key,
                            json(Map.of("amount", amount, "reference", "\"rf\"")), "refused refund");
                    case 1 -> write("POST", open + "/refunds", key, "{\"amount\":\"0.01\",\"reference\":\"rf\"}",
                            "refund of nothing received");
                    case 2 -> write("POST", open + "/credit_notes", key,
                            json(Map.of("amount", amount, "reason", "\"other\"")), "refused credit note");
                    case 3 -> write("POST", open + "/credit_notes", key, "{\"amount\":\"30.01\",\"reason\":\"other\"}",
                            "credit beyond what is due");
                    default -> write("POST", paid + "/credit_notes", key, "{\"amount\":\"0.01\",\"reason\":\"other\"}",
                            "credit on a paid invoice");
                });
        Arbitrary<Request> badCancel = Arbitraries.of(fx.refusalPaidInvoice(), fx.otherStoreInvoice(), fx.openInvoice(),
                        "inv_" + "0".repeat(24), "inv_", "not-an-id")
                .map(invoice -> write("POST", "/v1/invoices/" + invoice + "/cancel", key, "{}", "refused cancel"));
        Arbitrary<Request> noRight = Arbitraries.of(
                        write("POST", "/v1/invoices", null, "{\"amount\":\"10.00\"}", "no key"),
                        write("POST", "/v1/invoices", fx.refusalReadOnlyKey(), "{\"amount\":\"10.00\"}", "read-only key"),
                        write("POST", "/v1/invoices/" + fx.refusalOpenInvoice() + "/payments", fx.refusalReadOnlyKey(),
                                "{\"amount\":\"1.00\",\"currency\":\"USD\",\"reference\":\"r\"}", "read-only key"),
                        write("POST", "/v1/invoices/" + fx.refusalOpenInvoice() + "/cancel", fx.otherStoreReadKey(), "{}",
                                "another store's key"),
                        write("POST", "/v1/invoices", adminToken, "{\"amount\":\"10.00\"}", "admin token"));
        Arbitrary<Request> broken = Combinators.combine(
                Arbitraries.of("/v1/invoices", "/v1/invoices/" + fx.refusalOpenInvoice() + "/payments"),
                Hostile.brokenBody().filter(b -> !looksLikeValidWrite(b)))
                .as((path, body) -> new Request("POST", path,
                        List.of(auth(key), new Header("Content-Type", "application/json"),
                                new Header("Idempotency-Key", UUID.randomUUID().toString())), body, "broken body"));
        Arbitrary<Request> badKey = Arbitraries.of("", "k".repeat(256), "k".repeat(5000))
                .map(k -> new Request("POST", "/v1/invoices", List.of(auth(key), new Header("Content-Type", "application/json"),
                        new Header("Idempotency-Key", k)), "{\"amount\":\"10.00\"}".getBytes(StandardCharsets.UTF_8),
                        "bad Idempotency-Key"));
        return Arbitraries.oneOf(badCreate, badPayment, badCorrection, badCancel, noRight, broken, badKey).list()
                .ofMinSize(1).ofMaxSize(8);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private record WriteEndpoint(String method, String path, Map<String, String> body, boolean admin) {
    }

    private static List<WriteEndpoint> writeEndpoints() {
        return List.of(
                new WriteEndpoint("POST", "/v1/invoices", Map.of("amount", "\"12.50\"", "currency", "\"USD\"",
                        "description", "\"hostile\"", "customer_email", "\"buyer@example.com\"", "due_date", "\"2027-01-01\"",
                        "expires_in", "3600", "metadata", "{\"k\":\"v\"}"), false),
                new WriteEndpoint("POST", "/v1/invoices", Map.of("currency", "\"BHD\"", "line_items",
                        "[{\"description\":\"a\",\"quantity\":\"2.5\",\"unit_amount\":\"0.125\","
                                + "\"discount_percent\":\"50\",\"tax_percent\":\"10\"}]"), false),
                new WriteEndpoint("POST", "/v1/invoices/" + fx.openInvoice() + "/payments", Map.of("amount", "\"0.01\"",
                        "currency", "\"USD\"", "reference", "\"ref-1\"", "method", "\"card\""), false),
                new WriteEndpoint("POST", "/v1/invoices/" + fx.openInvoice() + "/cancel", Map.of("reason", "\"x\""), false),
                new WriteEndpoint("POST", "/v1/invoices/" + fx.paidInvoice() + "/refunds", Map.of("amount", "\"0.01\"",
                        "reference", "\"rf-1\"", "reason", "\"x\""), false),
                new WriteEndpoint("POST", "/v1/invoices/" + fx.openInvoice() + "/credit_notes", Map.of("amount",
                        "\"0.01\"", "reason", "\"other\"", "memo", "\"m\""), false),
                new WriteEndpoint("POST", "/v1/webhook_endpoints", Map.of("url", "\"https://example.com/hooks\"",
                        "enabled_events", "[\"*\"]", "description", "\"d\""), false),
                new WriteEndpoint("PATCH", "/v1/webhook_endpoints/" + fx.endpointId(), Map.of("description", "\"d\"",
                        "disabled", "true"), false),
                new WriteEndpoint("POST", "/v1/webhook_endpoints/" + fx.endpointId() + "/recover",
                        Map.of("since", "\"2026-01-01T00:00:00Z\""), false),
                new WriteEndpoint("POST", "/v1/events/" + fx.eventId() + "/redeliver",
                        Map.of("endpoint", Hostile.quote(fx.endpointId())), false),
                new WriteEndpoint("POST", "/admin/v1/stores", Map.of("name", "\"Hostile store\""), true),
                new WriteEndpoint("POST", "/admin/v1/stores/" + fx.otherStoreId() + "/api_keys",
                        Map.of("scopes", "[\"invoices:read\"]", "mode", "\"test\""), true),
                new WriteEndpoint("POST", "/admin/v1/projections/invoices/rebuild", Map.of("max_events_per_second", "1000"), true),
                new WriteEndpoint("PATCH", "/admin/v1/projections/invoices/rebuild/rb_" + "0".repeat(24),
                        Map.of("max_events_per_second", "100"), true));
    }

    /** One valid request per route, with real ids: what the credential and method properties start from. */
    private static Arbitrary<Request> anyRealRequest() {
        List<Request> real = new ArrayList<>();
        for (WriteEndpoint endpoint : writeEndpoints()) {
            real.add(new Request(endpoint.method(), endpoint.path(),
                    List.of(auth(endpoint.admin() ? adminToken : fx.key()), new Header("Content-Type", "application/json")),
                    json(endpoint.body()).getBytes(StandardCharsets.UTF_8), null));
        }
        for (String path : List.of("/v1/invoices", "/v1/invoices/" + fx.openInvoice(), "/v1/invoices/" + fx.openInvoice()
                        + "/status", "/v1/invoices/" + fx.openInvoice() + "/events", "/v1/events", "/v1/events/" + fx.eventId(),
                "/v1/reports/balances", "/v1/reports/aging", "/v1/exports/events", "/v1/webhook_endpoints",
                "/v1/webhook_endpoints/" + fx.endpointId(), "/v1/webhook_endpoints/" + fx.endpointId() + "/deliveries",
                "/admin/v1/projections/invoices/rebuild")) {
            real.add(new Request("GET", path, List.of(auth(path.startsWith("/admin") ? adminToken : fx.key())), null, null));
        }
        real.add(new Request("DELETE", "/admin/v1/stores/" + fx.otherStoreId() + "/api_keys/key_" + "0".repeat(24),
                List.of(auth(adminToken)), null, null));
        return Arbitraries.of(real);
    }

    private static Arbitrary<java.util.Optional<String>> idempotencyKey() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.create(() -> java.util.Optional.of(UUID.randomUUID().toString()))),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(java.util.Optional.<String>empty())),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("", " ", "k".repeat(256), "🙂", "a\tb").map(java.util.Optional::of)));
    }

    private static Request write(String method, String path, String token, String body, String note) {
        List<Header> headers = new ArrayList<>();
        if (token != null) {
            headers.add(auth(token));
        }
        headers.add(new Header("Content-Type", "application/json"));
        headers.add(new Header("Idempotency-Key", UUID.randomUUID().toString()));
        return new Request(method, path, headers, body.getBytes(StandardCharsets.UTF_8), note);
    }

    /**
     * A "broken" body that a JSON parser still reads as an object with an amount might rightly succeed
     * (JSON may come in UTF-16 or UTF-32: RFC 8259 readers detect it).
     */
    private static boolean looksLikeValidWrite(byte[] body) {
        if (new String(body, StandardCharsets.UTF_8).contains("\"amount\"")) {
            return true;
        }
        try {
            JsonNode parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            return parsed != null && parsed.has("amount");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean namesAResource(String target) {
        return Stream.of(fx.openInvoice(), fx.eventId(), fx.endpointId()).anyMatch(target::contains);
    }

    private static List<Header> withoutAuth(List<Header> headers, List<Header> replacement) {
        List<Header> result = new ArrayList<>(headers.stream().filter(h -> !h.name().equals("Authorization")).toList());
        result.addAll(replacement);
        return result;
    }

    private static Header auth(String token) {
        return new Header("Authorization", "Bearer " + token);
    }

    private static String json(Map<String, String> fields) {
        List<String> members = new ArrayList<>();
        fields.forEach((k, v) -> members.add(Hostile.quote(k) + ":" + v));
        return "{" + String.join(",", members) + "}";
    }

    private static Response assertClean(Request request) {
        Response response;
        try {
            response = http.send(request);
        } catch (IOException e) {
            throw new UncheckedIOException("no HTTP answer to:\n" + request.describe(), e);
        }
        sent.incrementAndGet();
        statuses.computeIfAbsent(response.status(), s -> new LongAdder()).increment();
        List<String> problems = HouseRules.violations(request, response);
        if (SURVEY) {
            problems.forEach(HostileInputIT::record);
        } else {
            assertThat(problems).isEmpty();
        }
        return response;
    }

    private static void expect(boolean ok, String problem) {
        if (ok) {
            return;
        }
        if (SURVEY) {
            record(problem);
        } else {
            throw new AssertionError(problem);
        }
    }

    /** Kind = the rule broken and the request's method and route, ids and query left out. */
    private static void record(String problem) {
        String[] lines = problem.split("\n");
        String request = lines.length > 1 ? lines[1].replaceAll("\\?.*", "")
                .replaceAll("(inv|evt|we|st|rb|key)_[A-Za-z0-9]*", "$1_…") : "";
        String kind = lines[0].replaceAll("req_[A-Za-z0-9]+", "req_…") + " ← " + RawHttp.cut(request, 120);
        findings.computeIfAbsent(kind, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(problem);
    }

    /**
     * Events a request could have written: all but {@code InvoiceExpired}, which the ledger appends on
     * its own clock (an invoice some property created with a short expiry may expire meanwhile).
     */
    private static long requestWrittenEvents() throws SQLException {
        try (Connection db = DriverManager.getConnection(ledger.jdbcUrl(), ledger.jdbcUser(), ledger.jdbcPassword());
             Statement statement = db.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM command.domain_event_entry "
                     + "WHERE payload_type <> 'ledger.events.InvoiceExpired'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Fixtures fixtures(ApiClient api, LocalLedger.Demo demo) {
        String key = demo.apiKey();
        String open = invoice(api, key, "25.00");
        String paid = invoice(api, key, "5.00");
        pay(api, key, paid, "5.00");
        var endpoint = api.post("/v1/webhook_endpoints", key,
                "{\"url\":\"https://example.com/hooks\",\"enabled_events\":[\"*\"],\"disabled\":true}",
                "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/v1/invoices/" + open + "/events", key).status() == 200
                && api.get("/v1/invoices/" + open + "/events", key).json().path("data").size() == 1);
        String eventId = api.get("/v1/invoices/" + open + "/events", key).json().path("data").get(0).path("id").asText();

        String[] other = api.storeWithKey(adminToken, "invoices:read", "invoices:write", "payments:write");
        String otherInvoice = invoice(api, other[1], "7.00");
        String otherReadKey = key(api, other[0], "invoices:read");

        String[] refusal = api.storeWithKey(adminToken, "invoices:read", "invoices:write", "payments:write");
        String refusalOpen = invoice(api, refusal[1], "30.00");
        String refusalPaid = invoice(api, refusal[1], "3.00");
        pay(api, refusal[1], refusalPaid, "3.00");
        String refusalCancelled = invoice(api, refusal[1], "4.00");
        var cancelled = api.post("/v1/invoices/" + refusalCancelled + "/cancel", refusal[1], "{}",
                "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(cancelled.status()).as(cancelled.raw()).isEqualTo(200);
        return new Fixtures(demo.storeId(), key, open, paid, eventId, endpoint.json().get("id").asText(),
                other[0], otherReadKey, otherInvoice, refusal[1], key(api, refusal[0], "invoices:read"),
                refusalOpen, refusalPaid, refusalCancelled);
    }

    private static String invoice(ApiClient api, String key, String amount) {
        var created = api.post("/v1/invoices", key, "{\"amount\":\"" + amount + "\",\"currency\":\"USD\"}",
                "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private static void pay(ApiClient api, String key, String invoice, String amount) {
        var paid = api.post("/v1/invoices/" + invoice + "/payments", key,
                "{\"amount\":\"" + amount + "\",\"currency\":\"USD\",\"reference\":\"fixture\"}",
                "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(paid.status()).as(paid.raw()).isEqualTo(201);
    }

    private static String key(ApiClient api, String storeId, String... scopes) {
        var issued = api.post("/admin/v1/stores/" + storeId + "/api_keys", adminToken,
                "{\"mode\":\"test\",\"scopes\":[\"" + String.join("\",\"", scopes) + "\"]}");
        assertThat(issued.status()).as(issued.raw()).isEqualTo(201);
        JsonNode body = issued.json();
        return body.get("key").asText();
    }
}
