package ledger.local;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceEnvironmentTest {

    private final Ports ports = new Ports(15432, 19092, 19093, 8080, 9080, List.of(8081), List.of(8082),
            List.of(8083));

    @Test
    void everyServiceGetsTheDatabaseKafkaAndItsOwnPort() {
        Map<String, String> env = ServiceEnvironment.forService(Service.QUERY, 0, ports, "adm_t", Map.of());

        assertThat(env).containsExactlyInAnyOrderEntriesOf(Map.of(
                "SERVER_PORT", "8082",
                "LEDGER_DB_URL", "jdbc:postgresql://localhost:15432/ledger",
                "LEDGER_DB_USER", "postgres",
                "LEDGER_DB_PASSWORD", "postgres",
                "LEDGER_KAFKA_BOOTSTRAP", "localhost:19092",
                "LEDGER_ADMIN_TOKEN", "adm_t",
                "LEDGER_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true",
                "LEDGER_CHECKOUT_BASE_URL", "http://localhost:8080/checkout"));
    }

    @Test
    void theGatewayAlsoLearnsWhereTheServicesAre() {
        Map<String, String> env = ServiceEnvironment.forService(Service.GATEWAY, 0, ports, "adm_t", Map.of());

        assertThat(env).containsEntry("SERVER_PORT", "8080")
                .containsEntry("LEDGER_COMMAND_URL", "http://localhost:8081")
                .containsEntry("LEDGER_QUERY_URL", "http://localhost:8082")
                .containsEntry("LEDGER_WEBHOOK_URL", "http://localhost:8083")
                .containsEntry("LEDGER_GATEWAY_MANAGEMENT_PORT", "9080");
    }

    @Test
    void eachInstanceGetsItsOwnPortAndTheGatewayAllOfThem() {
        Ports two = new Ports(15432, 19092, 19093, 8080, 9080, List.of(8081, 8181), List.of(8082, 8182),
                List.of(8083, 8183));

        assertThat(ServiceEnvironment.forService(Service.WEBHOOK, 1, two, "adm_t", Map.of()))
                .containsEntry("SERVER_PORT", "8183");
        assertThat(ServiceEnvironment.forService(Service.GATEWAY, 0, two, "adm_t", Map.of()))
                .containsEntry("LEDGER_COMMAND_URL", "http://localhost:8081,http://localhost:8181")
                .containsEntry("LEDGER_QUERY_URL", "http://localhost:8082,http://localhost:8182")
                .containsEntry("LEDGER_WEBHOOK_URL", "http://localhost:8083,http://localhost:8183");
    }

    @Test
    void overridesWin() {
        Map<String, String> env = ServiceEnvironment.forService(Service.COMMAND, 0, ports, "adm_t",
                Map.of("LEDGER_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "false", "EXTRA", "1"));

        assertThat(env).containsEntry("LEDGER_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "false").containsEntry("EXTRA", "1")
                .doesNotContainKey("LEDGER_COMMAND_URL");
    }
}
