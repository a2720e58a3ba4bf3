package ledger.local;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment each service process gets. The services read only these variables (see each
 * service's application.yml), so docker-compose.yml sets the same names.
 */
final class ServiceEnvironment {

    private ServiceEnvironment() {
    }

    static Map<String, String> forService(Service service, Ports ports, String adminToken, Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SERVER_PORT", Integer.toString(ports.of(service)));
        env.put("LEDGER_DB_URL", "jdbc:postgresql://localhost:" + ports.postgres() + "/" + LocalPostgres.DATABASE);
        env.put("LEDGER_DB_USER", LocalPostgres.USER);
        env.put("LEDGER_DB_PASSWORD", LocalPostgres.PASSWORD);
        env.put("LEDGER_KAFKA_BOOTSTRAP", "localhost:" + ports.kafka());
        env.put("LEDGER_ADMIN_TOKEN", adminToken);
        // Webhook receivers on a developer's machine are http://localhost targets.
        env.put("LEDGER_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true");
        env.put("LEDGER_CHECKOUT_BASE_URL", localUrl(ports.gateway()) + "/checkout");
        if (service == Service.GATEWAY) {
            env.put("LEDGER_COMMAND_URL", localUrl(ports.command()));
            env.put("LEDGER_QUERY_URL", localUrl(ports.query()));
            env.put("LEDGER_WEBHOOK_URL", localUrl(ports.webhook()));
            env.put("LEDGER_GATEWAY_MANAGEMENT_PORT", Integer.toString(ports.gatewayManagement()));
        }
        env.putAll(overrides);
        return env;
    }

    static String localUrl(int port) {
        return "http://localhost:" + port;
    }
}
