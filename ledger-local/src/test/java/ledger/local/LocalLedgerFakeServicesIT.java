package ledger.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The launcher's orchestration (ordering, environment, health waits, demo store, restarts, stop
 * order) with stand-in services, so it is tested whatever state the real services are in.
 */
class LocalLedgerFakeServicesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;
    private Path repo;
    private Path events;
    private LocalLedger.Config config;

    @BeforeEach
    void fakeRepository() throws Exception {
        repo = tmp.resolve("repo");
        events = tmp.resolve("events.log");
        for (Service service : Service.values()) {
            writeFakeJar(service.execJar(repo));
        }
        config = LocalLedger.Config.ephemeral(repo, tmp.resolve("data"))
                .withExtraEnv(Map.of("FAKE_EVENTS", events.toString()))
                .withServiceStartTimeout(Duration.ofSeconds(60));
    }

    @Test
    void startsEverythingCreatesTheDemoStoreOnceAndStopsTheGatewayFirst() throws Exception {
        LocalLedger.Demo demo;
        String adminToken;
        try (LocalLedger ledger = new LocalLedger(config, System.out::println)) {
            demo = ledger.start();
            adminToken = ledger.adminToken();
            assertThat(demo.storeId()).startsWith("st_");
            assertThat(demo.apiKey()).startsWith("sk_test_");

            Map<String, String> gateway = env(ledger.gatewayUrl());
            assertThat(gateway).containsEntry("SERVER_PORT", Integer.toString(ledger.gatewayPort()))
                    .containsEntry("LEDGER_COMMAND_URL", ledger.commandUrl())
                    .containsEntry("LEDGER_QUERY_URL", ledger.queryUrl())
                    .containsEntry("LEDGER_WEBHOOK_URL", ledger.webhookUrl())
                    .containsEntry("LEDGER_DB_URL", ledger.jdbcUrl())
                    .containsEntry("LEDGER_KAFKA_BOOTSTRAP", ledger.kafkaBootstrapServers())
                    .containsEntry("LEDGER_ADMIN_TOKEN", adminToken)
                    .containsEntry("LEDGER_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true")
                    .containsEntry("LEDGER_CHECKOUT_BASE_URL", ledger.gatewayUrl() + "/checkout");
            assertThat(env(ledger.commandUrl())).containsEntry("LEDGER_DB_USER", "postgres")
                    .doesNotContainKey("LEDGER_COMMAND_URL");
            assertThat(gateway.get("LEDGER_GATEWAY_MANAGEMENT_PORT"))
                    .isEqualTo(Integer.toString(URI.create(ledger.gatewayManagementUrl()).getPort()));
            assertThat(ledger.banner()).contains(ledger.gatewayUrl(), demo.storeId(), demo.apiKey(), adminToken,
                    ledger.gatewayManagementUrl() + "/actuator/prometheus", "Ctrl-C to stop");
        }

        List<String> stops = Files.readAllLines(events).stream().filter(line -> line.startsWith("stopped")).toList();
        assertThat(stops).hasSize(4).first().isEqualTo("stopped api-gateway");
        assertThat(tmp.resolve("data/postgres/postmaster.pid")).doesNotExist();
        assertThat(tmp.resolve("data/logs/api-gateway.log")).exists();
        assertThat(allLogs()).doesNotContain(demo.apiKey());

        try (LocalLedger again = new LocalLedger(config, System.out::println)) {
            assertThat(again.start()).isEqualTo(demo);
            assertThat(again.adminToken()).isEqualTo(adminToken);
        }
        assertThat(new FakeAdminApi("", tmp.resolve("admin.properties")).storeCount()).isEqualTo(1);

        String fixed = "sk_test_fixed0123456789abcdef";
        try (LocalLedger withFixedKey = new LocalLedger(config.withDemoApiKey(fixed).withAdminToken("adm_fixed"), System.out::println)) {
            assertThat(withFixedKey.start()).isEqualTo(new LocalLedger.Demo(demo.storeId(), fixed));
            assertThat(env(withFixedKey.commandUrl())).containsEntry("LEDGER_ADMIN_TOKEN", "adm_fixed");
            assertThat(LocalLedger.clientAdminToken(config)).as("replay without LEDGER_ADMIN_TOKEN").contains("adm_fixed");
        }
        assertThat(LocalLedger.clientAdminToken(config)).contains(adminToken);
    }

    /**
     * SPEC §7, ready means ready: keys reach query-service and the dispatcher a moment after
     * command-service stored them (here 1.5 s), and the gateway must not say UP before that.
     */
    @Test
    void whenTheGatewayFirstSaysUpTheDemoKeyAlreadyWritesAndReads() throws Exception {
        String demoKey = "sk_test_readymeansready0123456789ab";
        try (LocalLedger ledger = new LocalLedger(config.withDemoApiKey(demoKey).withExtraEnv(Map.of(
                "FAKE_EVENTS", events.toString(), "FAKE_ACCESS_DELAY_MS", "1500")), System.out::println)) {
            CompletableFuture<List<Integer>> answersAtFirstUp = FirstUp.createAndList(ledger.gatewayUrl(), demoKey);

            ledger.start();

            assertThat(answersAtFirstUp.get(30, TimeUnit.SECONDS)).containsExactly(201, 200);
        }
    }

    /** Issue 10 §10: a launcher killed with SIGKILL (its embedded Kafka with it) leaves nothing running. */
    @Test
    void whatTheLauncherStartedGoesDownWithItWhenItIsKilled() throws Exception {
        Path data = tmp.resolve("data");
        Path output = tmp.resolve("launcher.out");
        ProcessBuilder builder = new ProcessBuilder(OwnSession.java(), "-cp", System.getProperty("java.class.path"),
                FakeLauncher.class.getName(), repo.toString(), data.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("FAKE_EVENTS", events.toString());
        Process launcher = builder.start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(output).contains("Ctrl-C to stop"));
            List<ProcessHandle> children = new ArrayList<>();
            for (Service service : Service.values()) {
                children.add(running(data.resolve("run").resolve(service.module + ".pid")));
            }
            children.add(running(data.resolve("postgres").resolve("postmaster.pid")));

            launcher.destroyForcibly();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(children).noneMatch(ProcessHandle::isAlive));
            assertThat(Files.readAllLines(events)).filteredOn(line -> line.startsWith("stopped")).hasSize(4);
        } finally {
            launcher.destroyForcibly();
        }
    }

    /** The live process whose pid is the first line of {@code pidFile}. */
    private static ProcessHandle running(Path pidFile) throws IOException {
        long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .orElseThrow(() -> new AssertionError(pidFile + " names no live process"));
    }

    @Test
    void aServiceThatDiesWhileStartingFailsTheStartWithItsLogAndStopsTheRest() {
        LocalLedger ledger = new LocalLedger(config.withExtraEnv(Map.of(
                "FAKE_EVENTS", events.toString(), "FAKE_FAIL", "query-service")), System.out::println);

        assertThatThrownBy(ledger::start)
                .hasMessageContaining("query-service exited with code 3")
                .hasMessageContaining("boom: query-service cannot start today");

        assertThat(ledger.isClosed()).isTrue();
        assertThat(tmp.resolve("data/postgres/postmaster.pid")).doesNotExist();
        assertThat(Ports.isFree(ledger.postgresPort())).isTrue();
        assertThat(Ports.isFree(ledger.kafkaPort())).isTrue();
        assertThat(Ports.isFree(ledger.gatewayPort())).isTrue();
    }

    @Test
    void aServiceThatNeverReportsUpFailsTheStartAfterTheTimeout() {
        LocalLedger ledger = new LocalLedger(config.withServiceStartTimeout(Duration.ofSeconds(10)).withExtraEnv(Map.of(
                "FAKE_EVENTS", events.toString(), "FAKE_DOWN", "webhook-dispatcher")), System.out::println);

        assertThatThrownBy(ledger::start)
                .hasMessageContaining("webhook-dispatcher did not report UP on :")
                .hasMessageContaining("within 10 s");

        assertThat(Ports.isFree(ledger.postgresPort())).isTrue();
    }

    private Map<String, String> env(String baseUrl) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/env")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        return body.properties().stream().collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().asText()));
    }

    private String allLogs() throws IOException {
        try (Stream<Path> files = Files.list(tmp.resolve("data/logs"))) {
            StringBuilder all = new StringBuilder();
            for (Path file : files.toList()) {
                all.append(Files.readString(file, StandardCharsets.ISO_8859_1));
            }
            return all.toString();
        }
    }

    /** A jar that only names FakeService as its main class, found on this test's own class path. */
    private static void writeFakeJar(Path jar) throws Exception {
        Files.createDirectories(jar.getParent());
        String classPath = Stream.of(FakeService.class, ObjectMapper.class, com.fasterxml.jackson.core.JsonFactory.class,
                        com.fasterxml.jackson.annotation.JsonProperty.class)
                .map(type -> type.getProtectionDomain().getCodeSource().getLocation().toString())
                .collect(Collectors.joining(" "));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeService.class.getName());
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        try (OutputStream out = Files.newOutputStream(jar)) {
            new JarOutputStream(out, manifest).close();
        }
    }
}
