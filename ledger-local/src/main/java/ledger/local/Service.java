package ledger.local;

import java.nio.file.Path;

/** The services the launcher runs, in the order they start; the gateway goes last. */
enum Service {
    // command-service has no GET route for merchants; its authentication filter answers before
    // routing, so anything but 401 on this path shows that it knows the key.
    COMMAND("command-service", "LEDGER_COMMAND_PORT", "/v1/invoices"),
    QUERY("query-service", "LEDGER_QUERY_PORT", "/v1/invoices?limit=1"),
    WEBHOOK("webhook-dispatcher", "LEDGER_WEBHOOK_PORT", "/v1/webhook_endpoints?limit=1"),
    GATEWAY("api-gateway", "LEDGER_GATEWAY_PORT", null);

    final String module;
    final String portVariable;
    /** A cheap GET that authenticates an API key, or null for the gateway, which only forwards it. */
    final String keyProbePath;

    Service(String module, String portVariable, String keyProbePath) {
        this.module = module;
        this.portVariable = portVariable;
        this.keyProbePath = keyProbePath;
    }

    Path execJar(Path repoDir) {
        return repoDir.resolve(module).resolve("target").resolve(module + "-exec.jar");
    }

    @Override
    public String toString() {
        return module;
    }
}
