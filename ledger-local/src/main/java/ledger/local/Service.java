package ledger.local;

import java.nio.file.Path;

/** The services the launcher runs, in the order they start; the gateway goes last. */
enum Service {
    COMMAND("command-service", "LEDGER_COMMAND_PORT"),
    QUERY("query-service", "LEDGER_QUERY_PORT"),
    WEBHOOK("webhook-dispatcher", "LEDGER_WEBHOOK_PORT"),
    GATEWAY("api-gateway", "LEDGER_GATEWAY_PORT");

    final String module;
    final String portVariable;

    Service(String module, String portVariable) {
        this.module = module;
        this.portVariable = portVariable;
    }

    Path execJar(Path repoDir) {
        return repoDir.resolve(module).resolve("target").resolve(module + "-exec.jar");
    }

    @Override
    public String toString() {
        return module;
    }
}
