package ledger.local;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Takes the launcher's children down with it, however it dies. The children run in their own
 * sessions (see {@link OwnSession}) and PostgreSQL is daemonized by pg_ctl, so a launcher killed
 * with SIGKILL — which takes the embedded Kafka with it — would leave them running, accepting writes
 * that reach no read model. The watchdog is a shell blocked reading a pipe from the launcher; the
 * kernel closes that pipe when the launcher dies, and the shell then runs {@code ledger-local watch},
 * the same clean-up a later {@code ./ledger up} does. A launcher that stops normally ends it first.
 */
final class Watchdog implements AutoCloseable {

    private final Process shell;
    // Never written: holding it open is the launcher's heartbeat.
    private final OutputStream pipe;

    private Watchdog(Process shell) {
        this.shell = shell;
        this.pipe = shell.getOutputStream();
    }

    static Watchdog start(Path repoDir, Path dataDir, Path logFile) throws IOException {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "read -r line; exec \"$@\"", "ledger-watchdog"));
        command.addAll(launcherCommand());
        command.addAll(List.of("watch", repoDir.toString(), dataDir.toString()));
        Files.createDirectories(logFile.getParent());
        return new Watchdog(new ProcessBuilder(OwnSession.command(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start());
    }

    /**
     * {@code java -jar ledger-local-exec.jar} when running from it (its classes sit in a nested jar
     * only Spring Boot's loader opens), else this JVM's class path and {@link LedgerLauncher}.
     */
    private static List<String> launcherCommand() {
        String classPath = System.getProperty("java.class.path");
        List<String> java = List.of(OwnSession.java(), "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        List<String> command = new ArrayList<>(java);
        if ("jar".equals(Watchdog.class.getProtectionDomain().getCodeSource().getLocation().getProtocol())) {
            command.addAll(List.of("-jar", Path.of(classPath).toAbsolutePath().toString()));
        } else {
            command.addAll(List.of("-cp", classPath, LedgerLauncher.class.getName()));
        }
        return command;
    }

    /** The launcher stopped everything itself: the watchdog goes without doing anything. */
    @Override
    public void close() {
        shell.destroy();
        try {
            pipe.close();
        } catch (IOException e) {
            // The shell is gone either way.
        }
    }

    /**
     * {@code ledger-local watch}: what runs once the launcher is gone. A new launcher that already
     * holds the data folder did this clean-up itself, so it is left alone.
     */
    static int stopOrphans(Path repoDir, Path dataDir, Consumer<String> progress) throws IOException {
        try (DataDirLock lock = DataDirLock.tryAcquire(dataDir)) {
            if (lock == null) {
                progress.accept("another launcher holds " + dataDir + "; nothing to do");
                return 0;
            }
            LocalLedger.stopLeftovers(repoDir, dataDir, progress);
            progress.accept("stopped what the launcher left behind");
            return 0;
        }
    }
}
