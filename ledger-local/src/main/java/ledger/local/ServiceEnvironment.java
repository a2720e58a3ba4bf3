package ledger.local;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The environment each service process gets. The services read only these variables (see each
 * service's application.yml), so docker-compose.yml sets the same names.
 */
final class ServiceEnvironment {

    private ServiceEnvironment() {
    }

    static Map<String, String> forService(Service service, int instance, Ports ports, String adminToken,
                                          Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SERVER_PORT", Integer.toString(ports.of(service, instance)));
        env.put("LEDGER_DB_URL", "jdbc:postgresql://localhost:" + ports.postgres() + "/" + LocalPostgres.DATABASE);
        env.put("LEDGER_DB_USER", LocalPostgres.USER);
        env.put("LEDGER_DB_PASSWORD", LocalPostgres.PASSWORD);
        env.put("LEDGER_KAFKA_BOOTSTRAP", "localhost:" + ports.kafka());
        env.put("LEDGER_ADMIN_TOKEN", adminToken);
        // Webhook receivers on a developer's machine are http://localhost targets.
        env.put("LEDGER_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true");
        env.put("LEDGER_CHECKOUT_BASE_URL", localUrl(ports.gateway()) + "/checkout");
        if (service == Service.GATEWAY) {
            // Every instance: the gateway spreads requests over them and skips one that refuses connections.
            env.put("LEDGER_COMMAND_URL", localUrls(ports.command()));
            env.put("LEDGER_QUERY_URL", localUrls(ports.query()));
            env.put("LEDGER_WEBHOOK_URL", localUrls(ports.webhook()));
            env.put("LEDGER_GATEWAY_MANAGEMENT_PORT", Integer.toString(ports.gatewayManagement()));
        }
        env.putAll(overrides);
        return env;
    }

    static String localUrl(int port) {
        return "http://localhost:" + port;
    }

    private static String localUrls(List<Integer> ports) {
        return ports.stream().map(ServiceEnvironment::localUrl).collect(Collectors.joining(","));
    }
}
