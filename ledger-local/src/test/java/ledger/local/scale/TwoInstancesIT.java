package ledger.local.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ledger.events.InvoiceExpired;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.local.LocalLedger;
import ledger.local.LocalLedger.Component;
import ledger.local.crash.LedgerAudit;
import ledger.local.crash.MerchantLoad;
import ledger.local.crash.WebhookReceiver;
import ledger.testsupport.ApiClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import ledger.local.Folders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SPEC §9's N instances: two of each of command-service, query-service and webhook-dispatcher on one
 * PostgreSQL and Kafka behind the gateway, under the crash suite's merchant load (creates with an
 * Idempotency-Key, payments, cancellations, invoices expiring within seconds, a webhook receiver that fails
 * some deliveries). Mid-load one instance of each is killed with SIGKILL — the command-service instance is the
 * one holding the Kafka relay's segment — and not brought back; the load goes on against the survivors. Then
 * every acknowledged write is in the ledger once (asked through the API), every event is in the read model
 * once and every invoice equals the fold of its events, every event reached the receiver with its stable id
 * and an unchanged payload (a second time only across the dispatcher's kill), every expiry happened once, and
 * no merchant request was lost (the load retries 503s and resets with the same key and counts them). Before the
 * load, a burst of reads with a key of its own, sent to both query-service instances in turn, gets the key's read
 * rate once, not once per instance.
 *
 * <p>Sizes (system properties): {@code ledger.scale.seed}, {@code ledger.scale.clients} (4),
 * {@code ledger.scale.before-kill-seconds} (10), {@code ledger.scale.after-kill-seconds} (20).
 */
class TwoInstancesIT {

    private static final int CLIENTS = Integer.getInteger("ledger.scale.clients", 4);
    private static final Duration BEFORE_KILL = Duration.ofSeconds(Long.getLong("ledger.scale.before-kill-seconds", 10));
    private static final Duration AFTER_KILL = Duration.ofSeconds(Long.getLong("ledger.scale.after-kill-seconds", 20));
    private static final long SEED = Long.getLong("ledger.scale.seed", System.currentTimeMillis());
    private static final Duration THINK = Duration.ofMillis(50);
    private static final Duration RETRY_FOR = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(150);
    /**
     * The relay's claim is stale after 5 s (command-service's axon.eventhandling.tokenstore.claim-timeout) and a
     * waiting instance tries every second; Axon's defaults (10 s, every 5 s) would take 10–15 s.
     */
    private static final Duration RELAY_TAKEOVER_LIMIT = Duration.ofSeconds(9);
    private static final Pattern REQUEST_COUNT = Pattern.compile(
            "^http_server_requests_seconds_count\\{[^}]*uri=\"/v1/[^}]*} ([0-9.E]+)$", Pattern.MULTILINE);
    private static final ObjectMapper JSON = LedgerJson.mapper();
    /** Low enough that a burst shows whether the bucket is the key's or each instance's. */
    private static final int READS_PER_SECOND = 10;
    private static final int READ_BURST = 50;

    private static final Map<String, String> ENVIRONMENT = Map.of(
            "LEDGER_RATE_LIMIT_READ_PER_SECOND", Integer.toString(READS_PER_SECOND),
            "LEDGER_RATE_LIMIT_READ_BURST", Integer.toString(READ_BURST),
            // Seven JVMs and the load on two cores: C1 only and the serial collector halve start-up CPU.
            "JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
            "LEDGER_WEBHOOKS_RETRY_SCHEDULE", "1s,1s,2s,2s,3s,5s,5s,5s,5s,5s,10s,10s",
            "LEDGER_WEBHOOKS_REQUEST_TIMEOUT", "5s",
            // A killed dispatcher's leased deliveries are due again for the survivor after the lease (60 s by
            // default). A killed consumer's partitions move after the services' 10 s Kafka session timeout.
            "LEDGER_WEBHOOKS_LEASE", "15s");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void twoInstancesOfEachServiceLoseNothingAndCountNothingTwiceWhenOneOfEachIsKilled() throws Exception {
        System.out.printf(Locale.ROOT, "two-instances test: seed %d (-Dledger.scale.seed=%d), %d clients%n",
                SEED, SEED, CLIENTS);
        long began = System.nanoTime();
        Path repo = Path.of("").toAbsolutePath().getParent();
        // Kept after the run: the logs of every instance (logs/<service>-2.log) tell why a failure happened.
        Path data = Path.of("target", "two-instances-it").toAbsolutePath();
        Folders.delete(data);
        LocalLedger.Config config = LocalLedger.Config.ephemeral(repo, data)
                .withInstances(2)
                .withExtraEnv(ENVIRONMENT)
                .withServiceStartTimeout(Duration.ofSeconds(240));
        try (WebhookReceiver receiver = new WebhookReceiver(0.05, SEED);
             LocalLedger ledger = new LocalLedger(config)) {
            LocalLedger.Demo demo = ledger.start();
            double startSeconds = seconds(began);
            ApiClient api = new ApiClient(ledger.gatewayUrl());
            var endpoint = api.post("/v1/webhook_endpoints", demo.apiKey(),
                    "{\"url\":\"" + receiver.url() + "\",\"enabled_events\":[\"*\"]}",
                    "Idempotency-Key", UUID.randomUUID().toString());
            assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(201);
            receiver.secret(endpoint.json().get("secret").asText());
            RateCheck rateCheck = readBurst(ledger, api);
            LedgerAudit audit = new LedgerAudit(ledger.jdbcUrl(), ledger.jdbcUser(), ledger.jdbcPassword(),
                    ledger.kafkaBootstrapServers());

            MerchantLoad load = new MerchantLoad(ledger.gatewayUrl(), demo.apiKey(), CLIENTS, THINK, RETRY_FOR, SEED);
            long loadBegan = System.nanoTime();
            load.start();
            Map<String, Double> servedBeforeKill;
            int relayHolder;
            double takeoverSeconds;
            long killed;
            try {
                Thread.sleep(BEFORE_KILL.toMillis()); // the merchants keep working meanwhile
                servedBeforeKill = servedRequests(ledger);
                relayHolder = relayHolder(ledger);
                killed = System.nanoTime();
                ledger.kill(Component.COMMAND_SERVICE, relayHolder);
                ledger.kill(Component.QUERY_SERVICE, 1);
                ledger.kill(Component.WEBHOOK_DISPATCHER, 0);
                long survivor = ledger.pid(Component.COMMAND_SERVICE, 1 - relayHolder);
                await("the surviving command-service takes the relay over").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> relayOwnerPid(ledger) == survivor);
                takeoverSeconds = seconds(killed);
                Thread.sleep(Math.max(0, AFTER_KILL.toMillis() - Duration.ofNanos(System.nanoTime() - killed).toMillis()));
            } finally {
                load.stop();
            }
            double loadSeconds = seconds(loadBegan);

            long settleBegan = System.nanoTime();
            await("every copy of the ledger agrees with the event store").atMost(SETTLE)
                    .pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(() -> assertThat(audit.settled(receiver)).isEmpty());
            double settleSeconds = seconds(settleBegan);

            List<LedgerEvent> store = audit.eventStore();
            Map<String, List<LedgerEvent>> histories = LedgerAudit.histories(store);
            List<String> throughApi = acknowledgedThroughTheApi(api, demo.apiKey(), load, histories);
            List<String> eventsListed = eventsListedOnce(api, demo.apiKey(), store);
            List<String> repeats = receiver.unexplainedRepeats(List.of(killed), audit.unansweredAttempts());
            Map<String, Long> expiries = store.stream().filter(e -> e instanceof InvoiceExpired)
                    .collect(Collectors.groupingBy(e -> e.invoiceId().value(), Collectors.counting()));

            System.out.printf(Locale.ROOT, "rate limit: %d of %d reads of one key served in %.1f s (read bucket %d, %d/s)%n",
                    rateCheck.served(), rateCheck.sent(), rateCheck.seconds(), READ_BURST, READS_PER_SECOND);
            printSummary(load, receiver, store, servedBeforeKill, relayHolder, takeoverSeconds, startSeconds,
                    loadSeconds, settleSeconds, seconds(began));
            assertThat(rateCheck.served()).as("reads of one key served out of %d, in %.1f s", rateCheck.sent(),
                    rateCheck.seconds()).isLessThanOrEqualTo((int) (READ_BURST + READS_PER_SECOND * rateCheck.seconds()) + 2)
                    .isGreaterThanOrEqualTo(READ_BURST);
            assertThat(servedBeforeKill).as("merchant requests each instance served before the kill")
                    .allSatisfy((instance, served) -> assertThat(served).as(instance).isPositive());
            assertThat(takeoverSeconds).as("seconds until the surviving command-service relays")
                    .isLessThan(RELAY_TAKEOVER_LIMIT.toSeconds());
            assertThat(load.unexpected).as("answers the load should never get").isEmpty();
            assertThat(load.abandoned).as("requests whose outcome the merchant never learned").isEmpty();
            // A killed instance is a 503 at most (a request it had accepted), which the merchant retries; any
            // other 5xx is a bug.
            assertThat(load.serverErrors).as("5xx answers other than 503").isEmpty();
            assertThat(LedgerAudit.acknowledgedEffects(store, load)).as("acknowledged writes against the event store")
                    .isEmpty();
            assertThat(throughApi).as("acknowledged writes against what the API shows").isEmpty();
            assertThat(eventsListed).as("GET /v1/events against the event store").isEmpty();
            assertThat(expiries).as("InvoiceExpired per expired invoice").isNotEmpty()
                    .allSatisfy((invoice, n) -> assertThat(n).as(invoice).isEqualTo(1L));
            assertThat(receiver.badSignatures.get()).as("webhooks with a bad signature").isZero();
            assertThat(receiver.idMismatches.get()).as("webhooks whose webhook-id is not the payload's id").isZero();
            assertThat(receiver.payloadMismatches.get()).as("redeliveries with another payload than the first")
                    .isZero();
            assertThat(repeats).as("webhooks acknowledged again without the dispatcher's kill between").isEmpty();
            assertThat(load.creates).as("acknowledged creates").isNotEmpty();
            assertThat(load.payments).as("acknowledged payments").isNotEmpty();
            assertThat(load.cancels).as("acknowledged cancellations").isNotEmpty();
        }
    }

    record RateCheck(int sent, int served, double seconds) {
    }

    /**
     * Three times the read burst from a new key, at once, to each query-service instance in turn (straight, for
     * speed: on a busy machine the refill during a slow burst would hide the limit). The key must get its burst
     * plus the refill once, not once per instance.
     */
    private static RateCheck readBurst(LocalLedger ledger, ApiClient api) throws Exception {
        String key = api.storeWithKey(ledger.adminToken(), "invoices:read")[1];
        List<ApiClient> instances = List.of(new ApiClient(ledger.serviceUrl(Component.QUERY_SERVICE, 0)),
                new ApiClient(ledger.serviceUrl(Component.QUERY_SERVICE, 1)));
        // From before the first read of the key: the refill counted is then, if anything, too generous.
        long began = System.nanoTime();
        await("the new key is known to both query-service instances").atMost(Duration.ofSeconds(30))
                .until(() -> instances.stream().allMatch(instance -> instance.get("/v1/invoices?limit=1", key).status() == 200));
        int sent = 3 * READ_BURST;
        AtomicInteger served = new AtomicInteger(2);
        AtomicInteger other = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int i = 0; i < sent; i++) {
            ApiClient instance = instances.get(i % 2);
            pool.execute(() -> {
                int status = instance.get("/v1/invoices?limit=1", key).status();
                if (status == 200) {
                    served.incrementAndGet();
                } else if (status != 429) {
                    other.incrementAndGet();
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).as("the read burst finished").isTrue();
        assertThat(other.get()).as("answers to the read burst other than 200 and 429").isZero();
        return new RateCheck(sent + 2, served.get(), seconds(began));
    }

    /**
     * Which command-service instance relays: Axon names a token's owner {@code <pid>@<host>}, and only the
     * owner of the single segment sends events to Kafka.
     */
    private static int relayHolder(LocalLedger ledger) throws SQLException {
        long owner = await("one command-service holds the relay").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> relayOwnerPid(ledger), pid -> pid > 0);
        for (int instance = 0; instance < ledger.instances(); instance++) {
            if (ledger.pid(Component.COMMAND_SERVICE, instance) == owner) {
                return instance;
            }
        }
        throw new AssertionError("the relay is held by pid " + owner + ", no command-service instance");
    }

    private static long relayOwnerPid(LocalLedger ledger) throws SQLException {
        try (Connection db = DriverManager.getConnection(ledger.jdbcUrl(), ledger.jdbcUser(), ledger.jdbcPassword());
             Statement statement = db.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT owner FROM command.token_entry WHERE processor_name = 'kafka-relay'")) {
            String owner = rows.next() ? rows.getString(1) : null;
            return owner == null ? -1 : Long.parseLong(owner.substring(0, owner.indexOf('@')));
        }
    }

    /** Merchant requests ({@code /v1/…}) each instance of command-service and query-service has served. */
    private Map<String, Double> servedRequests(LocalLedger ledger) throws IOException, InterruptedException {
        Map<String, Double> served = new TreeMap<>();
        for (Component component : List.of(Component.COMMAND_SERVICE, Component.QUERY_SERVICE)) {
            for (int instance = 0; instance < ledger.instances(); instance++) {
                String metrics = http.send(HttpRequest.newBuilder(
                        URI.create(ledger.serviceUrl(component, instance) + "/actuator/prometheus")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                double sum = 0;
                Matcher count = REQUEST_COUNT.matcher(metrics);
                while (count.find()) {
                    sum += Double.parseDouble(count.group(1));
                }
                served.put(component.name().toLowerCase(Locale.ROOT) + " " + (instance + 1), sum);
            }
        }
        return served;
    }

    /**
     * Each acknowledged create, payment and cancellation as the merchant API lists it afterwards: the invoice
     * is there once, with the figures of the fold of its events, each acknowledged payment listed once on it, each
     * acknowledged cancellation final.
     */
    private static List<String> acknowledgedThroughTheApi(ApiClient api, String apiKey, MerchantLoad load,
                                                          Map<String, List<LedgerEvent>> histories) throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, JsonNode> shown = new HashMap<>();
        for (JsonNode invoice : listAll(api, "/v1/invoices", apiKey)) {
            if (shown.put(invoice.path("id").asText(), invoice) != null) {
                problems.add("invoice " + invoice.path("id").asText() + " listed twice");
            }
        }
        for (MerchantLoad.Create create : load.creates) {
            JsonNode invoice = shown.get(create.invoiceId());
            if (invoice == null) {
                problems.add("acknowledged invoice " + create.invoiceId() + " is not listed");
                continue;
            }
            JsonNode fold = JSON.readTree(JSON.writeValueAsString(InvoiceView.replay(histories.get(create.invoiceId()))));
            for (String field : List.of("status", "amount", "amount_paid", "amount_due", "amount_overpaid", "currency",
                    "version", "expired_at", "cancelled_at")) {
                if (!fold.path(field).asText().equals(invoice.path(field).asText())) {
                    problems.add("invoice " + create.invoiceId() + " shows " + field + " " + invoice.path(field)
                            + " but the fold of its events gives " + fold.path(field));
                }
            }
        }
        for (MerchantLoad.Payment payment : load.payments) {
            JsonNode invoice = shown.get(payment.invoiceId());
            long listed = invoice == null ? 0 : stream(invoice.path("payments"))
                    .filter(p -> p.path("id").asText().equals(payment.paymentId())).count();
            if (listed != 1) {
                problems.add("acknowledged payment " + payment.paymentId() + " is listed " + listed
                        + " times on invoice " + payment.invoiceId());
            }
        }
        for (MerchantLoad.Cancel cancel : load.cancels) {
            JsonNode invoice = shown.get(cancel.invoiceId());
            if (invoice == null || !invoice.path("status").asText().equals("cancelled")) {
                problems.add("acknowledged cancellation of " + cancel.invoiceId() + " but the invoice shows "
                        + (invoice == null ? "nothing" : invoice.path("status")));
            }
        }
        return problems;
    }

    /** {@code GET /v1/events}, every page: each event of the store exactly once, and nothing else. */
    private static List<String> eventsListedOnce(ApiClient api, String apiKey, List<LedgerEvent> store) {
        Map<String, Integer> listed = new HashMap<>();
        listAll(api, "/v1/events", apiKey).forEach(event -> listed.merge(event.path("id").asText(), 1, Integer::sum));
        List<String> problems = new ArrayList<>();
        listed.forEach((id, n) -> {
            if (n > 1) {
                problems.add("event " + id + " listed " + n + " times");
            }
        });
        Set<String> storeIds = store.stream().map(e -> e.eventId().value()).collect(Collectors.toSet());
        Set<String> missing = new HashSet<>(storeIds);
        missing.removeAll(listed.keySet());
        Set<String> extra = new HashSet<>(listed.keySet());
        extra.removeAll(storeIds);
        if (!missing.isEmpty()) {
            problems.add(missing.size() + " events of the store not listed, e.g. " + missing.iterator().next());
        }
        if (!extra.isEmpty()) {
            problems.add(extra.size() + " listed events the store does not have, e.g. " + extra.iterator().next());
        }
        return problems;
    }

    /** Every page of a list, as a merchant reads it: a 429 is waited out, since this test keeps the read rate low. */
    private static List<JsonNode> listAll(ApiClient api, String path, String apiKey) {
        List<JsonNode> items = new ArrayList<>();
        String after = null;
        boolean more = true;
        while (more) {
            String page = path + "?limit=100" + (after == null ? "" : "&starting_after=" + after);
            var answer = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> api.get(page, apiKey), response -> response.status() != 429);
            assertThat(answer.status()).as(answer.raw()).isEqualTo(200);
            for (JsonNode item : answer.json().path("data")) {
                items.add(item);
                after = item.path("id").asText();
            }
            more = answer.json().path("has_more").asBoolean();
        }
        return items;
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items.stream();
    }

    private static void printSummary(MerchantLoad load, WebhookReceiver receiver, List<LedgerEvent> store,
                                     Map<String, Double> servedBeforeKill, int relayHolder, double takeoverSeconds,
                                     double startSeconds, double loadSeconds, double settleSeconds, double totalSeconds) {
        StringBuilder out = new StringBuilder("\n── two-instances test summary ──\n");
        out.append(String.format(Locale.ROOT, "stack of 2 x 3 services + gateway up in %.0f s; load %.0f s, %d clients, seed %d%n",
                startSeconds, loadSeconds, CLIENTS, SEED));
        out.append("merchant requests served per instance before the kill: ").append(servedBeforeKill).append('\n');
        out.append(String.format(Locale.ROOT, "killed (SIGKILL): command-service %d (the relay's holder), query-service 2, "
                + "webhook-dispatcher 1; the other command-service relayed %.1f s after the kill%n", relayHolder + 1,
                takeoverSeconds));
        out.append(String.format(Locale.ROOT, "merchant requests: %d (HTTP attempts %d, retries %d, idempotent replays %d, "
                        + "abandoned %d)%n", load.requests.sum(), load.attempts.sum(), load.retries.sum(),
                load.replays.sum(), load.abandoned.size()));
        out.append(LedgerAudit.outcome(load, store, receiver));
        out.append(String.format(Locale.ROOT, "settled %.1f s after the load stopped; whole test %.0f s%n", settleSeconds,
                totalSeconds));
        if (!load.abandoned.isEmpty()) {
            LedgerAudit.abandonedOutcomes(store, load).forEach(a -> out.append("  abandoned: ").append(a).append('\n'));
        }
        load.serverErrors.forEach(e -> out.append("  5xx: ").append(e).append('\n'));
        load.unexpected.forEach(e -> out.append("  unexpected: ").append(e).append('\n'));
        System.out.println(out);
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

}
