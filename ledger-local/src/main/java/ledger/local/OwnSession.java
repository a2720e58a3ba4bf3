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
     * Options of every service and broker JVM the launcher starts. Six JVMs share a small machine, and JFR's
     * per-thread CPU showed their C2 compiler threads using about as much CPU as their request and listener
     * threads a minute into the bench's load: C1 alone (tier 1) compiles far less and its code is fast enough for
     * services that mostly wait on PostgreSQL and Kafka; the serial collector has no concurrent GC threads to
     * compete for the cores, and the heaps are small. {@code LEDGER_JVM_OPTIONS} replaces them (an empty value
     * gives the JVM's own defaults back, C2 and G1, for a machine with cores to spare).
     */
    static List<String> jvmOptions(Map<String, String> env) {
        String configured = env.get("LEDGER_JVM_OPTIONS");
        if (configured == null) {
            return List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        }
        return Arrays.stream(configured.trim().split("\\s+")).filter(option -> !option.isEmpty()).toList();
    }

    /** The java of this JVM. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
