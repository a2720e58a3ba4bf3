package ledger.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A real PostgreSQL 16 (zonky's binaries) on a data directory that outlives the process.
 * zonky runs initdb only when the directory has no postgresql.conf, so a second start reuses the
 * cluster; as root it runs initdb and pg_ctl under {@code unshare -U}.
 */
final class LocalPostgres implements AutoCloseable {

    static final String DATABASE = "ledger";
    static final String USER = "postgres";
    // The cluster uses trust authentication on localhost; clients send this only because they need one.
    static final String PASSWORD = "postgres";

    private static final Duration STALE_STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path dataDir;
    private final int port;
    private final Path logFile;
    private final Consumer<String> progress;
    private EmbeddedPostgres postgres;
    private boolean initializedNow;

    LocalPostgres(Path dataDir, int port, Path logFile, Consumer<String> progress) {
        this.dataDir = dataDir.toAbsolutePath();
        this.port = port;
        this.logFile = logFile.toAbsolutePath();
        this.progress = progress;
    }

    /**
     * Clears what a launcher killed with SIGKILL left behind. Call before checking that the port
     * is free: the leftover postmaster may be what holds it.
     */
    void cleanUpAfterPreviousRun() throws IOException {
        Files.createDirectories(dataDir);
        ensureNotInUse();
        stopStalePostmaster();
    }

    void start() throws IOException, SQLException {
        Files.createDirectories(dataDir);
        Files.createDirectories(logFile.getParent());
        initializedNow = !Files.exists(dataDir.resolve("postgresql.conf"));
        postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(port)
                // LocalLedger stops the services before PostgreSQL; zonky's own hook would race them.
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                // zonky starts postgres with -F (fsync off) and synchronous_commit off; a ledger whose
                // data is kept across restarts should not lose committed events to a crash.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                // Nothing replicates from this server, so its WAL only has to recover a crash. A table created
                // and loaded in one transaction (a rebuild's COPY, then each of its index builds) then writes
                // no WAL and is synced to disk at commit (ledger-local/README.md, 2026-12-07 12:00–13:30 UTC).
                .setServerConfig("wal_level", "minimal")
                .setServerConfig("max_wal_senders", "0")
                .setServerConfig("listen_addresses", "localhost")
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        createDatabaseIfMissing();
    }

    boolean initializedNow() {
        return initializedNow;
    }

    /**
     * SIGKILL to the postmaster, as a crash would: no checkpoint, no clean shutdown. Its backends
     * notice the postmaster's death and exit by themselves (stragglers after 10 s are killed too,
     * or a restart would find the old shared memory still attached). {@link #restart} then runs
     * crash recovery from the WAL.
     */
    void kill() throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        ProcessHandle postmaster = readPid(pidFile).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .orElseThrow(() -> new IllegalStateException("no running postmaster in " + pidFile));
        List<ProcessHandle> backends = postmaster.descendants().toList();
        postmaster.destroyForcibly();
        if (!awaitExit(postmaster, Duration.ofSeconds(30))) {
            throw new IllegalStateException("postgres (pid " + postmaster.pid() + ") survived SIGKILL for 30 s");
        }
        for (ProcessHandle backend : backends) {
            if (!awaitExit(backend, Duration.ofSeconds(10))) {
                backend.destroyForcibly();
                awaitExit(backend, Duration.ofSeconds(10));
            }
        }
        // zonky's close() tries pg_ctl stop, which fails on the dead server (an error zonky would
        // log with its stack trace), and then releases its lock on the data directory, which a new
        // start needs.
        EmbeddedPostgres killed = postgres;
        postgres = null;
        if (killed != null) {
            Logging.silenced(EmbeddedPostgres.class.getName(), killed::close);
        }
    }

    /** Starts again on the same data directory and port after {@link #kill}. */
    void restart() throws IOException, SQLException {
        if (postgres != null) {
            throw new IllegalStateException("postgres is running");
        }
        stopStalePostmaster();
        start();
    }

    private Connection connect(String database) throws SQLException {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {"localhost"});
        dataSource.setPortNumbers(new int[] {port});
        dataSource.setDatabaseName(database);
        dataSource.setUser(USER);
        dataSource.setPassword(PASSWORD);
        return dataSource.getConnection();
    }

    @Override
    public void close() throws IOException {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    private void createDatabaseIfMissing() throws SQLException {
        try (Connection connection = connect("postgres")) {
            try (PreparedStatement exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
                exists.setString(1, DATABASE);
                try (ResultSet rows = exists.executeQuery()) {
                    if (rows.next()) {
                        return;
                    }
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("create database " + DATABASE);
            }
        }
    }

    // zonky holds a lock on epg-lock while its postgres runs. If another live launcher holds it,
    // the postmaster below is not stale and must not be stopped.
    private void ensureNotInUse() throws IOException {
        Path lockFile = dataDir.resolve("epg-lock");
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileOutputStream stream = new FileOutputStream(lockFile.toFile(), true);
             FileLock lock = stream.getChannel().tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("another process is running PostgreSQL on " + dataDir);
            }
        } catch (OverlappingFileLockException e) {
            throw new IllegalStateException("PostgreSQL on " + dataDir + " is already running in this JVM", e);
        }
    }

    /**
     * A launcher killed with SIGKILL leaves its postmaster running (pg_ctl detaches it), or leaves
     * a postmaster.pid whose pid may since belong to another process, which postgres, running in
     * a user namespace, cannot tell from a live postmaster and refuses to start.
     */
    private void stopStalePostmaster() throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> postmaster = readPid(pidFile)
                .flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(LocalPostgres::isPostgres);
        if (postmaster.isEmpty()) {
            Files.deleteIfExists(pidFile);
            return;
        }
        long pid = postmaster.get().pid();
        progress.accept("stopping the postgres a previous run left behind (pid " + pid + ")");
        // SIGINT is PostgreSQL's "fast" shutdown, what pg_ctl stop -m fast sends. Clients that
        // the previous run left behind are disconnected rather than waited for.
        signal("INT", pid);
        if (!awaitExit(postmaster.get(), STALE_STOP_TIMEOUT)) {
            signal("QUIT", pid);
            if (!awaitExit(postmaster.get(), Duration.ofSeconds(5))) {
                throw new IllegalStateException("could not stop the old postgres (pid " + pid + ") on " + dataDir);
            }
        }
        Files.deleteIfExists(pidFile);
    }

    private static Optional<Long> readPid(Path pidFile) throws IOException {
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean isPostgres(ProcessHandle process) {
        return process.info().command().map(command -> command.endsWith("/postgres")).orElse(false)
                || process.info().commandLine().map(line -> line.contains("postgres")).orElse(false);
    }

    private static void signal(String signal, long pid) throws IOException {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signalling pid " + pid, e);
        }
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        }
    }
}
