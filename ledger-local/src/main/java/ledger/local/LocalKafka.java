package ledger.local;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real single-node Kafka (combined broker and controller, KRaft) on a log directory that outlives
 * the process: inside this JVM, or — for crash tests, which must be able to {@code kill -9} the
 * broker alone — as a child JVM running {@code kafka.Kafka} on the same properties and log directory.
 */
final class LocalKafka implements AutoCloseable {

    private static final int NODE_ID = 1;
    private static final Duration CHILD_START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration CHILD_STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Names the child's properties file on its command line, which tells a leftover broker apart. */
    private static final String MARKER = "-Dledger.local.kafka=";

    private final Path logDir;
    private final int port;
    private final int controllerPort;
    /** Null: the broker runs in this JVM. */
    private final ChildFiles child;
    private KafkaRaftServer server;
    private Process process;
    private boolean formattedNow;

    /** Where a child broker keeps its configuration, output and pid. */
    private record ChildFiles(Path propertiesFile, Path logFile, Path pidFile) {
    }

    LocalKafka(Path logDir, int port, int controllerPort) {
        this(logDir, port, controllerPort, null);
    }

    private LocalKafka(Path logDir, int port, int controllerPort, ChildFiles child) {
        this.logDir = logDir.toAbsolutePath();
        this.port = port;
        this.controllerPort = controllerPort;
        this.child = child;
    }

    /** A broker in its own JVM, started with this JVM's class path (a test's, or the launcher's jar). */
    static LocalKafka childProcess(Path logDir, int port, int controllerPort, Path runDir, Path logFile) {
        return new LocalKafka(logDir, port, controllerPort,
                new ChildFiles(runDir.resolve("kafka.properties").toAbsolutePath(), logFile.toAbsolutePath(),
                        runDir.resolve("kafka.pid").toAbsolutePath()));
    }

    boolean isChildProcess() {
        return child != null;
    }

    /** Starts the broker (again, after {@link #kill}) and returns once it serves requests. */
    void start() throws IOException {
        if (server != null || (process != null && process.isAlive())) {
            throw new IllegalStateException("kafka is running");
        }
        Files.createDirectories(logDir);
        Properties properties = serverProperties();
        // Formatting writes meta.properties with a new cluster id; doing it again would orphan
        // every topic already on disk.
        formattedNow = !Files.exists(logDir.resolve("meta.properties"));
        if (formattedNow) {
            format(properties);
        }
        if (child == null) {
            KafkaRaftServer raftServer = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
            raftServer.startup();
            server = raftServer;
        } else {
            startChild(properties);
        }
    }

    boolean formattedNow() {
        return formattedNow;
    }

    /** SIGKILL for the child broker: no controlled shutdown, no flush. Returns once it is gone. */
    void kill() {
        Process p = process;
        if (child == null || p == null) {
            throw new IllegalStateException("only a running child-process Kafka can be killed");
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("kafka (pid " + p.pid() + ") survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing kafka", e);
        }
        process = null;
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
        Process p = process;
        if (p != null) {
            // SIGTERM: kafka.Kafka's shutdown hook does a controlled shutdown.
            p.destroy();
            try {
                if (!p.waitFor(CHILD_STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            process = null;
            try {
                Files.deleteIfExists(child.pidFile());
            } catch (IOException e) {
                // A stale pid file is checked against the command line before it is trusted.
            }
        }
    }

    /**
     * A launcher killed with SIGKILL leaves a child broker running on the log directory. The pid
     * file is only trusted if that pid still runs kafka.Kafka on this directory's properties.
     */
    static void stopLeftover(Path runDir) throws IOException {
        Path pidFile = runDir.resolve("kafka.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        String content = Files.readString(pidFile, StandardCharsets.UTF_8).trim();
        Files.delete(pidFile);
        String marker = MARKER + runDir.resolve("kafka.properties").toAbsolutePath();
        Optional<ProcessHandle> leftover;
        try {
            leftover = ProcessHandle.of(Long.parseLong(content))
                    .filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().commandLine().map(line -> line.contains(marker)).orElse(false));
        } catch (NumberFormatException e) {
            return;
        }
        if (leftover.isPresent()) {
            ProcessHandle handle = leftover.get();
            handle.destroy();
            try {
                handle.onExit().get(CHILD_STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                handle.destroyForcibly();
            } catch (ExecutionException | TimeoutException e) {
                handle.destroyForcibly();
            }
        }
    }

    private void startChild(Properties properties) throws IOException {
        Files.createDirectories(child.propertiesFile().getParent());
        Files.createDirectories(child.logFile().getParent());
        try (Writer writer = Files.newBufferedWriter(child.propertiesFile(), StandardCharsets.UTF_8)) {
            properties.store(writer, "written by ledger-local for its child-process Kafka");
        }
        // The marker comes first: the class path is long, and a command line read back from /proc
        // (stopLeftover) may be cut short.
        List<String> line = new ArrayList<>(List.of(OwnSession.java(), MARKER + child.propertiesFile(), "-Xmx512m"));
        line.addAll(OwnSession.jvmOptions(System.getenv()));
        line.addAll(mainClass(System.getProperty("java.class.path"),
                ClassLoader.getSystemResource("kafka/Kafka.class") != null));
        line.add(child.propertiesFile().toString());
        List<String> command = OwnSession.command(line);
        Process started = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(child.logFile().toFile()))
                .start();
        process = started;
        Files.writeString(child.pidFile(), Long.toString(started.pid()), StandardCharsets.UTF_8);
        awaitChildReady(started);
    }

    /**
     * How the child JVM reaches {@code kafka.Kafka}: directly on a test's class path; from the
     * launcher's Spring Boot jar, which nests the Kafka jars, through its {@code PropertiesLauncher}.
     */
    static List<String> mainClass(String classPath, boolean kafkaOnClassPath) {
        return kafkaOnClassPath ? List.of("-cp", classPath, "kafka.Kafka")
                : List.of("-cp", classPath, "-Dloader.main=kafka.Kafka", "org.springframework.boot.loader.launch.PropertiesLauncher");
    }

    /**
     * Ready means the broker answers metadata requests with itself in the cluster, which a KRaft
     * broker only does once its controller registered and unfenced it.
     */
    private void awaitChildReady(Process started) throws IOException {
        Instant deadline = Instant.now().plus(CHILD_START_TIMEOUT);
        // The listener opens only after the broker caught up with the metadata log; until then an
        // admin client would log a warning per reconnect.
        while (!accepts(port) && Instant.now().isBefore(deadline)) {
            if (!started.isAlive()) {
                break;
            }
            pause();
        }
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + port,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500))) {
            while (Instant.now().isBefore(deadline)) {
                if (!started.isAlive()) {
                    throw new IOException("kafka exited with code " + started.exitValue() + " while starting; the end of "
                            + child.logFile() + ":\n" + ServiceProcess.tail(child.logFile(), 40));
                }
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get().isEmpty()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    // Not up yet.
                }
                pause();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for kafka", e);
        }
        throw new IOException("kafka did not start within " + CHILD_START_TIMEOUT.toSeconds() + " s; the end of "
                + child.logFile() + ":\n" + ServiceProcess.tail(child.logFile(), 40));
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for kafka", e);
        }
    }

    private Properties serverProperties() {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(NODE_ID));
        // A static voter set: the ports may change between runs (tests pick free ones), and a
        // static quorum takes its voters from this configuration rather than from the log.
        p.setProperty("controller.quorum.voters", NODE_ID + "@localhost:" + controllerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + port);
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());
        // One node: internal topics cannot have more replicas than that.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        // 50 partitions of __consumer_offsets cost seconds on the first consumer for no benefit here.
        p.setProperty("offsets.topic.num.partitions", "10");
        // Consumers of a freshly started stack join their groups without the 3 s default wait.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        return p;
    }

    private void format(Properties properties) throws IOException {
        Path configFile = Files.createTempFile("ledger-kafka", ".properties");
        try {
            try (Writer writer = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
                properties.store(writer, null);
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int status;
            // StorageTool.main calls System.exit; execute() is the same work returning a status.
            try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                status = StorageTool.execute(new String[] {
                        "format", "--cluster-id", Uuid.randomUuid().toString(), "--config", configFile.toString()}, out);
            } catch (RuntimeException e) {
                throw new IOException("could not format the Kafka log directory " + logDir + ": " + e.getMessage(), e);
            }
            if (status != 0) {
                throw new IOException("could not format the Kafka log directory " + logDir + ": "
                        + output.toString(StandardCharsets.UTF_8).trim());
            }
        } finally {
            Files.deleteIfExists(configFile);
        }
    }
}
