package ledger.local.crash;

import ledger.events.LedgerEvent;
import ledger.local.LocalLedger;
import ledger.local.LocalLedger.Component;
import ledger.testsupport.ApiClient;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import ledger.local.Folders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole ledger under merchant load while its parts are killed with SIGKILL one at a time —
 * command-service, query-service, webhook-dispatcher, the Kafka broker, PostgreSQL — and restarted on
 * the same data. Afterwards every copy of the ledger must agree with the event store and with what
 * merchants were told: nothing lost, nothing invented, nothing counted twice (see {@link LedgerAudit}), and a
 * webhook reaches its receiver a second time only where a kill kept the dispatcher from recording the first.
 *
 * <p>Sizes (system properties): {@code ledger.crash.seconds} — load at least this long, killing in
 * rounds until then (default 30: one round); {@code ledger.crash.clients} (4);
 * {@code ledger.crash.gap} — seconds of steady load between two crashes (5); {@code ledger.crash.downtime}
 * — seconds a killed part stays dead (2); {@code ledger.crash.retry-seconds} — how long a merchant
 * retries one request (60); {@code ledger.crash.settle-seconds} (180); {@code ledger.crash.seed}.
 */
class CrashRecoveryIT {

    private static final Duration LOAD = Duration.ofSeconds(Long.getLong("ledger.crash.seconds", 30));
    private static final int CLIENTS = Integer.getInteger("ledger.crash.clients", 4);
    private static final Duration GAP = Duration.ofSeconds(Long.getLong("ledger.crash.gap", 5));
    private static final Duration DOWNTIME = Duration.ofSeconds(Long.getLong("ledger.crash.downtime", 2));
    private static final Duration THINK = Duration.ofMillis(Long.getLong("ledger.crash.think-ms", 50));
    private static final Duration RETRY_FOR = Duration.ofSeconds(Long.getLong("ledger.crash.retry-seconds", 60));
    private static final Duration SETTLE = Duration.ofSeconds(Long.getLong("ledger.crash.settle-seconds", 180));
    private static final long SEED = Long.getLong("ledger.crash.seed", System.currentTimeMillis());
    /** Up to this long the whole pipeline may take to serve again after a crash. */
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(180);
    private static final List<Component> ORDER = List.of(Component.COMMAND_SERVICE, Component.QUERY_SERVICE,
            Component.WEBHOOK_DISPATCHER, Component.KAFKA, Component.POSTGRES);

    /** Short webhook retries so that failed deliveries come round again within the test. */
    private static final Map<String, String> ENVIRONMENT = Map.of(
            // Each crash restarts a JVM on two cores that also carry the rest of the stack and the
            // load; without C2 compiling and parallel GC threads a Spring Boot service starts in
            // about half the CPU time. Correctness, not throughput, is under test here.
            "JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
            "LEDGER_WEBHOOKS_RETRY_SCHEDULE", "1s,1s,2s,2s,3s,5s,5s,5s,5s,5s,10s,10s",
            // A killed dispatcher's leased deliveries become due again after the lease.
            "LEDGER_WEBHOOKS_REQUEST_TIMEOUT", "5s",
            "LEDGER_WEBHOOKS_LEASE", "15s");

    /** A kill at {@code killedNanos} ({@link System#nanoTime()}). */
    record Crash(Component component, long killedNanos, double restartSeconds, double recoveredSeconds) {
    }


    @Test
    void partsKilledOneAtATimeUnderLoadLoseNothingAndCountNothingTwice() throws Exception {
        System.out.printf(Locale.ROOT, "crash test: seed %d (-Dledger.crash.seed=%d), %d clients, %d s of load%n",
                SEED, SEED, CLIENTS, LOAD.toSeconds());
        Path repo = Path.of("").toAbsolutePath().getParent();
        // Not a temporary folder: after a failure the services', Kafka's and PostgreSQL's logs are
        // what tells why (target/crash-recovery-it/logs). The next run starts from nothing.
        Path data = Path.of("target", "crash-recovery-it").toAbsolutePath();
        Folders.delete(data);
        LocalLedger.Config config = LocalLedger.Config.ephemeral(repo, data)
                .withKafkaChildProcess(true)
                .withExtraEnv(ENVIRONMENT)
                .withServiceStartTimeout(Duration.ofSeconds(180));
        try (WebhookReceiver receiver = new WebhookReceiver(0.05, SEED);
             LocalLedger ledger = new LocalLedger(config)) {
            LocalLedger.Demo demo = ledger.start();
            ApiClient api = new ApiClient(ledger.gatewayUrl());
            var endpoint = api.post("/v1/webhook_endpoints", demo.apiKey(),
                    "{\"url\":\"" + receiver.url() + "\",\"enabled_events\":[\"*\"]}",
                    "Idempotency-Key", UUID.randomUUID().toString());
            assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(201);
            receiver.secret(endpoint.json().get("secret").asText());
            LedgerAudit audit = new LedgerAudit(ledger.jdbcUrl(), ledger.jdbcUser(), ledger.jdbcPassword(),
                    ledger.kafkaBootstrapServers());

            MerchantLoad load = new MerchantLoad(ledger.gatewayUrl(), demo.apiKey(), CLIENTS, THINK, RETRY_FOR, SEED);
            long loadBegan = System.nanoTime();
            load.start();
            List<Crash> crashes = new ArrayList<>();
            try {
                pace(GAP);
                do {
                    for (Component component : ORDER) {
                        crashes.add(crashAndRecover(ledger, component, api, demo.apiKey(), receiver));
                        pace(GAP);
                    }
                } while (System.nanoTime() - loadBegan < LOAD.toNanos());
            } finally {
                load.stop();
            }
            double loadSeconds = (System.nanoTime() - loadBegan) / 1e9;

            long settleBegan = System.nanoTime();
            ConditionTimeoutException unsettled = null;
            try {
                await("every copy of the ledger agrees with the event store").atMost(SETTLE)
                        .pollInterval(Duration.ofSeconds(2))
                        .untilAsserted(() -> assertThat(audit.settled(receiver)).isEmpty());
            } catch (ConditionTimeoutException e) {
                unsettled = e;
            }
            double settleSeconds = (System.nanoTime() - settleBegan) / 1e9;

            List<LedgerEvent> store = audit.eventStore();
            printSummary(load, receiver, store, crashes, loadSeconds, unsettled == null ? settleSeconds : Double.NaN);
            if (unsettled != null) {
                throw unsettled;
            }
            List<String> acknowledged = LedgerAudit.acknowledgedEffects(store, load);
            List<String> rebuilt = rebuildDiffers(api, ledger.adminToken(), audit);
            // Only a dispatcher that could not record an answer sends a delivery again: it, or its database, died.
            List<Long> unrecorded = crashes.stream()
                    .filter(c -> c.component() == Component.WEBHOOK_DISPATCHER || c.component() == Component.POSTGRES)
                    .map(Crash::killedNanos).toList();
            List<String> repeats = receiver.unexplainedRepeats(unrecorded, audit.unansweredAttempts());

            assertThat(load.unexpected).as("answers the load should never get").isEmpty();
            // An Idempotency-Key commits with its request's work, so a crash leaves no key "in progress":
            // every retry series ends with an answer once the killed part is back.
            assertThat(load.abandoned).as("requests whose outcome the merchant never learned").isEmpty();
            // A part being away is a 503 (retry); any other 5xx is a bug.
            assertThat(load.serverErrors).as("5xx answers other than 503").isEmpty();
            assertThat(acknowledged).as("acknowledged merchant requests against the event store").isEmpty();
            assertThat(rebuilt).as("the read model that lived through the crashes against a fresh rebuild").isEmpty();
            assertThat(receiver.badSignatures.get()).as("webhooks with a bad signature").isZero();
            assertThat(receiver.idMismatches.get()).as("webhooks whose webhook-id is not the payload's id").isZero();
            assertThat(repeats).as("webhooks acknowledged again without a dispatcher's or PostgreSQL's kill between")
                    .isEmpty();
            assertThat(crashes).extracting(Crash::component).containsAll(ORDER);
            assertThat(load.creates).as("acknowledged creates").isNotEmpty();
            assertThat(load.payments).as("acknowledged payments").isNotEmpty();
            assertThat(load.refunds).as("acknowledged refunds").isNotEmpty();
            assertThat(load.creditNotes).as("acknowledged credit notes").isNotEmpty();
            assertThat(load.retries.sum()).as("retries: the crashes were felt by the merchants").isPositive();
        }
    }

    /**
     * Kills {@code component}, leaves it dead for a moment under load, restarts it and measures until the
     * whole pipeline serves again: a new invoice is created, readable at its version through query-service,
     * and its webhook arrived.
     */
    private static Crash crashAndRecover(LocalLedger ledger, Component component, ApiClient api, String apiKey,
                                         WebhookReceiver receiver) throws InterruptedException {
        long killed = System.nanoTime();
        ledger.kill(component);
        pace(DOWNTIME);
        long restarting = System.nanoTime();
        ledger.restart(component);
        double restartSeconds = (System.nanoTime() - restarting) / 1e9;

        String invoice = createProbe(api, apiKey);
        await(component + ": the probe invoice is readable").atMost(RECOVERY_LIMIT).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> api.get("/v1/invoices/" + invoice, apiKey, "Ledger-Version", "1").status() == 200);
        await(component + ": the probe invoice's webhook arrived").atMost(RECOVERY_LIMIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> receiver.receivedAnyEventOf(invoice));
        Crash crash = new Crash(component, killed, restartSeconds, (System.nanoTime() - killed) / 1e9);
        System.out.printf(Locale.ROOT, "%s: killed, restarted in %.1f s, whole pipeline serving %.1f s after the kill%n",
                component, crash.restartSeconds(), crash.recoveredSeconds());
        return crash;
    }

    /**
     * Rebuilds query-service's invoice read model from its ledger through the admin API; the swap keeps
     * the table that lived through the crashes as {@code invoice_previous}, which must equal the fresh one.
     */
    private static List<String> rebuildDiffers(ApiClient api, String adminToken, LedgerAudit audit) throws Exception {
        var started = api.post("/admin/v1/projections/invoices/rebuild", adminToken, null);
        assertThat(started.status()).as(started.raw()).isEqualTo(202);
        String id = started.json().get("id").asText();
        await("the rebuild completes").atMost(RECOVERY_LIMIT).pollInterval(Duration.ofMillis(250))
                .until(() -> !"running".equals(
                        api.get("/admin/v1/projections/invoices/rebuild/" + id, adminToken).json().get("state").asText()));
        var done = api.get("/admin/v1/projections/invoices/rebuild/" + id, adminToken);
        assertThat(done.json().get("state").asText()).as(done.raw()).isEqualTo("completed");
        return audit.tablesDiffer("query.invoice_previous", "query.invoice");
    }

    /** A merchant's create, retried with its key through whatever is still recovering. */
    private static String createProbe(ApiClient api, String apiKey) {
        String key = UUID.randomUUID().toString();
        AtomicReference<String> id = new AtomicReference<>();
        await("a probe invoice is created").atMost(RECOVERY_LIMIT).pollInterval(Duration.ofMillis(250))
                .ignoreException(UncheckedIOException.class)
                .until(() -> {
                    var created = api.post("/v1/invoices", apiKey,
                            "{\"amount\":\"1.00\",\"currency\":\"USD\",\"description\":\"recovery probe\"}",
                            "Idempotency-Key", key);
                    if (created.status() == 201) {
                        id.set(created.json().get("id").asText());
                        return true;
                    }
                    return false;
                });
        return id.get();
    }


    /** Load pacing: the merchants keep working meanwhile; nothing is being waited for. */
    private static void pace(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    private static void printSummary(MerchantLoad load, WebhookReceiver receiver, List<LedgerEvent> store,
                                     List<Crash> crashes, double loadSeconds, double settleSeconds) {
        StringBuilder out = new StringBuilder("\n── crash test summary ──\n");
        out.append(String.format(Locale.ROOT, "load: %.0f s, %d clients, seed %d%n", loadSeconds, CLIENTS, SEED));
        out.append(String.format(Locale.ROOT,
                "merchant requests: %d (HTTP attempts %d, retries %d, idempotent replays %d, abandoned %d, "
                        + "longest retry series %d), reads %d (Ledger-Stale %d, acknowledged invoice not yet visible: 404 %d)%n",
                load.requests.sum(), load.attempts.sum(), load.retries.sum(), load.replays.sum(), load.abandoned.size(),
                load.longestRetrySeries.get(), load.reads.sum(), load.staleReads.sum(), load.notYetVisible.sum()));
        out.append(LedgerAudit.outcome(load, store, receiver));
        for (Crash crash : crashes) {
            out.append(String.format(Locale.ROOT, "kill -9 %-18s restart %5.1f s, pipeline serving again %5.1f s after the kill%n",
                    crash.component(), crash.restartSeconds(), crash.recoveredSeconds()));
        }
        out.append(String.format(Locale.ROOT, "settled %.1f s after the load stopped%n", settleSeconds));
        if (!load.abandoned.isEmpty()) {
            out.append("abandoned requests (outcome unknown to the merchant after retrying ").append(RETRY_FOR.toSeconds())
                    .append(" s):\n");
            LedgerAudit.abandonedOutcomes(store, load).forEach(a -> out.append("  ").append(a).append('\n'));
        }
        if (!load.serverErrors.isEmpty()) {
            out.append("5xx other than 503 that merchants retried:\n");
            load.serverErrors.forEach(e -> out.append("  ").append(e).append('\n'));
        }
        System.out.println(out);
    }
}
