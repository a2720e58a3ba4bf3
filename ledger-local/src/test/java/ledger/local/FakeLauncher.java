package ledger.local;

import java.nio.file.Path;
import java.util.Map;

/**
 * {@code ./ledger up} on stand-in services, in a JVM of its own that a test can kill: arguments are
 * the fake repository and the data folder; FAKE_EVENTS is passed on to the services.
 */
public final class FakeLauncher {

    public static void main(String[] args) throws InterruptedException {
        LocalLedger ledger = new LocalLedger(LocalLedger.Config.ephemeral(Path.of(args[0]), Path.of(args[1]))
                .withExtraEnv(Map.of("FAKE_EVENTS", System.getenv("FAKE_EVENTS"))));
        ledger.start();
        System.out.println(ledger.banner());
        ledger.awaitServiceExit();
    }
}
