package ledger.local;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalLedgerConfigTest {

    private final Path repo = Path.of("/repo");

    @Test
    void defaultsAreTheDocumentedPortsAndFolder() {
        LocalLedger.Config config = LocalLedger.Config.fromEnvironment(repo, Map.of());

        assertThat(config.dataDir()).isEqualTo(Path.of("/repo/.ledger-data"));
        assertThat(List.of(config.postgresPort(), config.kafkaPort(), config.kafkaControllerPort(), config.gatewayPort(),
                config.gatewayManagementPort(), config.commandPort(), config.queryPort(), config.webhookPort()))
                .containsExactly(15432, 19092, 19093, 8080, 9080, 8081, 8082, 8083);
        assertThat(config.adminToken()).isNull();
        assertThat(config.demoApiKey()).isNull();
        assertThat(config.serviceStartTimeout()).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void kafkaRunsInsideTheLauncherUnlessAChildProcessIsAskedFor() {
        LocalLedger.Config config = LocalLedger.Config.ephemeral(repo, Path.of("/tmp/data"));

        assertThat(config.kafkaChildProcess()).isFalse();
        assertThat(LocalLedger.Config.fromEnvironment(repo, Map.of()).kafkaChildProcess()).isFalse();
        LocalLedger.Config child = config.withKafkaChildProcess(true).withExtraEnv(Map.of("A", "b"));
        assertThat(child.kafkaChildProcess()).isTrue();
        assertThat(child.withDataDir(Path.of("/tmp/other")).kafkaChildProcess()).as("kept by the other withers").isTrue();
    }

    @Test
    void theEnvironmentOverridesEachSetting() {
        LocalLedger.Config config = LocalLedger.Config.fromEnvironment(repo, Map.ofEntries(
                Map.entry("LEDGER_DATA_DIR", "/var/ledger"),
                Map.entry("LEDGER_PG_PORT", "5433"),
                Map.entry("LEDGER_KAFKA_PORT", "9092"),
                Map.entry("LEDGER_KAFKA_CONTROLLER_PORT", "9093"),
                Map.entry("LEDGER_GATEWAY_PORT", "9080"),
                Map.entry("LEDGER_GATEWAY_MANAGEMENT_PORT", "9180"),
                Map.entry("LEDGER_COMMAND_PORT", "9081"),
                Map.entry("LEDGER_QUERY_PORT", "9082"),
                Map.entry("LEDGER_WEBHOOK_PORT", "9083"),
                Map.entry("LEDGER_ADMIN_TOKEN", "adm"),
                Map.entry("LEDGER_DEMO_API_KEY", "sk_test_demo")));

        assertThat(config.dataDir()).isEqualTo(Path.of("/var/ledger"));
        assertThat(List.of(config.postgresPort(), config.kafkaPort(), config.kafkaControllerPort(), config.gatewayPort(),
                config.gatewayManagementPort(), config.commandPort(), config.queryPort(), config.webhookPort()))
                .containsExactly(5433, 9092, 9093, 9080, 9180, 9081, 9082, 9083);
        assertThat(config.adminToken()).isEqualTo("adm");
        assertThat(config.demoApiKey()).isEqualTo("sk_test_demo");
    }

    @Test
    void aRelativeDataDirIsUnderTheRepositoryAndBlankValuesMeanUnset() {
        LocalLedger.Config config = LocalLedger.Config.fromEnvironment(repo, Map.of(
                "LEDGER_DATA_DIR", "tmp/data", "LEDGER_ADMIN_TOKEN", "", "LEDGER_PG_PORT", " "));

        assertThat(config.dataDir()).isEqualTo(Path.of("/repo/tmp/data"));
        assertThat(config.adminToken()).isNull();
        assertThat(config.postgresPort()).isEqualTo(15432);
    }

    @Test
    void aPortThatIsNotOneIsRejectedByName() {
        assertThatThrownBy(() -> LocalLedger.Config.fromEnvironment(repo, Map.of("LEDGER_GATEWAY_PORT", "80a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LEDGER_GATEWAY_PORT");
        assertThatThrownBy(() -> LocalLedger.Config.fromEnvironment(repo, Map.of("LEDGER_PG_PORT", "70000")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LEDGER_PG_PORT");
    }

    @Test
    void zeroPortsResolveToDistinctFreePorts() {
        Ports ports = Ports.resolve(LocalLedger.Config.ephemeral(repo, Path.of("/tmp/x")));

        List<Integer> all = List.of(ports.postgres(), ports.kafka(), ports.kafkaController(), ports.gateway(),
                ports.gatewayManagement(), ports.command().get(0), ports.query().get(0), ports.webhook().get(0));
        assertThat(all).allMatch(port -> port > 0);
        assertThat(new HashSet<>(all)).hasSize(8);
    }

    @Test
    void ledgerInstancesRunsThatManyOfEachBackendOnPortsAHundredApart() {
        LocalLedger.Config config = LocalLedger.Config.fromEnvironment(repo, Map.of("LEDGER_INSTANCES", "3"));

        assertThat(LocalLedger.Config.fromEnvironment(repo, Map.of()).instances()).isEqualTo(1);
        assertThat(config.instances()).isEqualTo(3);
        Ports ports = Ports.resolve(config);
        assertThat(ports.command()).containsExactly(8081, 8181, 8281);
        assertThat(ports.webhook()).containsExactly(8083, 8183, 8283);
        assertThat(ports.of(Service.GATEWAY)).containsExactly(8080);

        Ports ephemeral = Ports.resolve(LocalLedger.Config.ephemeral(repo, Path.of("/tmp/x")).withInstances(2));
        List<Integer> backends = new ArrayList<>(ephemeral.command());
        backends.addAll(ephemeral.query());
        backends.addAll(ephemeral.webhook());
        assertThat(new HashSet<>(backends)).hasSize(6);
    }

    @Test
    void aNumberOfInstancesThatIsNotOneIsRejectedByName() {
        assertThatThrownBy(() -> LocalLedger.Config.fromEnvironment(repo, Map.of("LEDGER_INSTANCES", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LEDGER_INSTANCES");
        assertThatThrownBy(() -> LocalLedger.Config.fromEnvironment(repo, Map.of("LEDGER_INSTANCES", "two")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LEDGER_INSTANCES");
    }

    @Test
    void theDemoKeyIsMaskedWhenPrinted() {
        assertThat(new LocalLedger.Demo("st_1", "sk_test_0123456789abcdefghij").toString())
                .contains("st_1").doesNotContain("0123456789");
    }
}
