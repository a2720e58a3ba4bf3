package ledger.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** A full stack as {@code ./ledger up} runs it, on free ports and a temporary data folder that goes with it. */
record TestStack(LocalLedger ledger, Path data) implements AutoCloseable {

    /** Started and ready; {@code env} is added to what every service gets. */
    static TestStack start(String name, Map<String, String> env) {
        Path data;
        try {
            data = Files.createTempDirectory(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var all = new HashMap<>(env);
        // Startup on two cores: see CrashRecoveryIT; throughput is not under test.
        all.putIfAbsent("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        Path repo = Path.of("").toAbsolutePath().getParent();
        var stack = new TestStack(new LocalLedger(LocalLedger.Config.ephemeral(repo, data)
                .withServiceStartTimeout(Duration.ofSeconds(180)).withExtraEnv(all)), data);
        try {
            stack.ledger.start();
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    @Override
    public void close() {
        ledger.close();
        try {
            Folders.delete(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
