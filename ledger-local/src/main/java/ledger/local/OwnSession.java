package ledger.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    /** The java of this JVM. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
