package ledger.local;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import ledger.local.replay.ReplayCommand;

/** {@code java -jar ledger-local-exec.jar up}: what {@code ./ledger up} runs from the repository root. */
public final class LedgerLauncher {

    private LedgerLauncher() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "up" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "up" -> System.exit(up(rest));
            case "replay" -> System.exit(replay(rest));
            case "bench" -> System.exit(bench(rest));
            // Not for people: what the watchdog of a dead launcher runs (see Watchdog).
            case "watch" -> System.exit(Watchdog.stopOrphans(Path.of(rest[0]), Path.of(rest[1]), System.out::println));
            case "help", "-h", "--help" -> usage(System.out);
            default -> {
                System.err.println("ledger: unknown command '" + command + "'");
                usage(System.err);
                System.exit(2);
            }
        }
    }

    static void usage(PrintStream out) {
        out.println("usage: ./ledger [up | replay [--max-events-per-second=N] | bench [--events=N] [--seconds=N]]");
        out.println("  up      start PostgreSQL, Kafka, every service and a demo store (the default)");
        out.println("  replay  rebuild the invoice projection of a running ./ledger up, with a progress bar (or follow");
        out.println("          the rebuild already running); --max-events-per-second=N spares a busy database");
        out.println("  bench   start a separate stack on free ports and benchmark it (target/bench/results.json)");
        out.println("configuration: LEDGER_ADMIN_TOKEN, LEDGER_DEMO_API_KEY, LEDGER_DATA_DIR, LEDGER_PG_PORT,");
        out.println("  LEDGER_KAFKA_PORT, LEDGER_KAFKA_CONTROLLER_PORT, LEDGER_GATEWAY_PORT, LEDGER_GATEWAY_MANAGEMENT_PORT,");
        out.println("  LEDGER_COMMAND_PORT, LEDGER_QUERY_PORT, LEDGER_WEBHOOK_PORT, LEDGER_INSTANCES (how many of each");
        out.println("  backend service; instance i listens 100 * i above the first), LEDGER_JVM_OPTIONS (see ledger-local/README.md)");
    }

    private static int up(String[] args) throws InterruptedException {
        if (args.length > 0) {
            System.err.println("ledger up: unexpected arguments " + String.join(" ", args));
            usage(System.err);
            return 2;
        }
        Path repoDir = Path.of("").toAbsolutePath();
        if (!Files.exists(repoDir.resolve("ledger-local"))) {
            System.err.println("ledger: run this from the repository root (./ledger up does)");
            return 2;
        }
        LocalLedger.Config config = configFromEnvironment(repoDir);
        if (config == null) {
            return 2;
        }
        configureLogging(config.dataDir());
        LocalLedger ledger = new LocalLedger(config);
        try {
            ledger.start();
        } catch (CancellationException e) {
            return 130;
        } catch (RuntimeException e) {
            System.err.println("ledger: could not start: " + e.getMessage());
            return 1;
        }
        System.out.println(ledger.banner());
        String exit = ledger.awaitServiceExit();
        if (ledger.isClosed()) {
            // Ctrl-C: the shutdown hook is stopping everything and the JVM exits when it is done.
            return 0;
        }
        System.err.println("ledger: " + exit);
        ledger.close();
        return 1;
    }

    // Both must be set before the first logger exists. The jar has no logback.xml of its own
    // so that hosts embedding LocalLedger keep their logging configuration.
    private static void configureLogging(Path dataDir) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "ledger-local-logback.xml");
        }
        System.setProperty("ledger.log.dir", dataDir.resolve("logs").toString());
    }

    /** Against the stack of {@code ./ledger up}: its gateway port and admin token, as {@code up} resolves them. */
    private static int replay(String[] args) throws InterruptedException, IOException {
        Integer pace;
        try {
            pace = ReplayCommand.parsePace(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ledger replay: " + e.getMessage());
            return 2;
        }
        Path repoDir = Path.of("").toAbsolutePath();
        LocalLedger.Config config = configFromEnvironment(repoDir);
        if (config == null) {
            return 2;
        }
        Optional<String> token = LocalLedger.clientAdminToken(config);
        if (token.isEmpty()) {
            System.err.println("ledger replay: no admin token: set LEDGER_ADMIN_TOKEN or start ./ledger up once");
            return 2;
        }
        return ReplayCommand.run(URI.create("http://localhost:" + config.gatewayPort()), token.get(), pace,
                System.out, System.err);
    }

    /** The configuration from the environment, or null after saying what is wrong with it. */
    private static LocalLedger.Config configFromEnvironment(Path repoDir) {
        try {
            return LocalLedger.Config.fromEnvironment(repoDir, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("ledger: " + e.getMessage());
            return null;
        }
    }

    private static int bench(String[] args) throws Exception {
        ledger.local.bench.Bench.Options options;
        try {
            options = ledger.local.bench.Bench.Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ledger bench: " + e.getMessage());
            return 2;
        }
        Path repoDir = Path.of("").toAbsolutePath();
        configureLogging(repoDir.resolve("target/bench"));
        try {
            return ledger.local.bench.Bench.run(repoDir, options, System.out);
        } catch (java.util.concurrent.CancellationException e) {
            return 130;
        } catch (RuntimeException e) {
            System.err.println("ledger bench: failed: " + e.getMessage());
            return 1;
        }
    }
}
