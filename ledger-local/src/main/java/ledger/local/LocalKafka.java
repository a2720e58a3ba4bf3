package ledger.local;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A real single-node Kafka (combined broker and controller, KRaft) inside this JVM, on a log
 * directory that outlives the process.
 */
final class LocalKafka implements AutoCloseable {

    private static final int NODE_ID = 1;

    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer server;
    private boolean formattedNow;

    LocalKafka(Path logDir, int port, int controllerPort) {
        this.logDir = logDir.toAbsolutePath();
        this.port = port;
        this.controllerPort = controllerPort;
    }

    void start() throws IOException {
        Files.createDirectories(logDir);
        Properties properties = serverProperties();
        // Formatting writes meta.properties with a new cluster id; doing it again would orphan
        // every topic already on disk.
        formattedNow = !Files.exists(logDir.resolve("meta.properties"));
        if (formattedNow) {
            format(properties);
        }
        KafkaRaftServer raftServer = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
        raftServer.startup();
        server = raftServer;
    }

    boolean formattedNow() {
        return formattedNow;
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
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
