package ledger.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Command lines for the launcher's children. setsid puts a child in its own session, so a Ctrl-C in
 * the terminal reaches only the launcher, which then stops its children in order (gateway first,
 * PostgreSQL last) instead of all at once. The child is not a process-group leader, so setsid execs
 * the command in place and the pid is the command's own.
 */
final class OwnSession {

    private static final Path[] SETSID = {Path.of("/usr/bin/setsid"), Path.of("/bin/setsid")};

    private OwnSession() {
    }

    static List<String> command(List<String> command) {
        List<String> line = new ArrayList<>();
        for (Path setsid : SETSID) {
            if (Files.isExecutable(setsid)) {
                line.add(setsid.toString());
                break;
            }
        }
        line.addAll(command);
        return line;
    }

    /**
     * Options of every service and broker JVM the launcher starts: the JVM's own compilers (C1, then C2) and the
     * serial collector, which has no concurrent GC threads to compete for a small machine's cores (the heaps are
     * small). A ledger runs for days, so its cost per invoice is that of C2's code, about a third below C1's alone
     * (tier 1), which costs less only in the first minutes while C2 compiles.
     *
     * <p>On two cores the JVM gives itself one C2 thread, which under load gets one runnable thread's share of the
     * cores: command-service, with the most code to compile, had its compilers quiet only after ten minutes of
     * load or more. Up to two C2 threads ({@code -XX:CICompilerCount=3}: one C1, two C2; the second runs only while
     * the queue is long) brought that to about six: the same compilations, sooner (ledger-local/README.md, "Probes
     * and benches (2026-12-07 23:41 – 2026-12-08 01:43 UTC)"). {@code LEDGER_JVM_OPTIONS} replaces these options (an empty value gives the JVM's defaults, G1
     * included; the test suites choose C1 for their short-lived stacks).
     */
    static List<String> jvmOptions(Map<String, String> env) {
        String configured = env.get("LEDGER_JVM_OPTIONS");
        if (configured == null) {
            return List.of("-XX:+UseSerialGC", "-XX:CICompilerCount=3");
        }
        return Arrays.stream(configured.trim().split("\\s+")).filter(option -> !option.isEmpty()).toList();
    }

    /** The java of this JVM. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
