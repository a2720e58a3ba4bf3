package ledger.local;

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
public final class SharedLedger implements ParameterResolver {

    public static final int LAST = Integer.MAX_VALUE;

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedLedger.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalLedger.class;
    }

    @Override
    public LocalLedger resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                // an AutoCloseable value: the root store closes it when the engine finishes
                .getOrComputeIfAbsent(TestStack.class, ignored -> TestStack.start("shared-ledger-it", Map.of()),
                        TestStack.class).ledger();
    }
}
