package ledger.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One full stack, as {@code ./ledger up} runs it on free ports and a temporary data folder, for the IT
 * classes that only need a ledger to talk to and keep to stores of their own: every start costs the two
 * CI cores about a minute. A class registers this extension and takes a {@link LocalLedger} parameter in
 * its {@code @BeforeAll}; the first such class starts the stack, which stops (and its folder goes) when the
 * Jupiter engine finishes. So these classes carry {@code @Order(SharedLedger.LAST)}
 * ({@code junit-platform.properties} orders classes by it): they run after every class that starts a stack
 * of its own, and the idle shared one never sits beside those.
 */
final class SharedLedger implements ParameterResolver {

    static final int LAST = Integer.MAX_VALUE;

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedLedger.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalLedger.class;
    }

    @Override
    public LocalLedger resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Stack.class, ignored -> Stack.start(), Stack.class).ledger();
    }

    /** Closed by the root store when the engine finishes. */
    private record Stack(LocalLedger ledger, Path data) implements AutoCloseable {

        static Stack start() {
            Path data;
            try {
                data = Files.createTempDirectory("shared-ledger-it");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path repo = Path.of("").toAbsolutePath().getParent();
            var stack = new Stack(new LocalLedger(LocalLedger.Config.ephemeral(repo, data)
                    .withServiceStartTimeout(Duration.ofSeconds(180))
                    // Startup on two cores: see CrashRecoveryIT; throughput is not under test.
                    .withExtraEnv(Map.of("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"))), data);
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
}
