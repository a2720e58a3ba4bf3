package ledger.local;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded PostgreSQL and Kafka are real servers, and what they store is still there after
 * both were stopped and started again on the same data directory.
 */
class LocalInfrastructureIT {

    private static final String TOPIC = "ledger.local-it";

    @TempDir
    Path dataDir;

    @Test
    void postgresAndKafkaAreRealAndKeepTheirDataAcrossARestart() throws Exception {
        LocalLedger.Config config = LocalLedger.Config.ephemeral(Path.of("..").toAbsolutePath(), dataDir);
        List<String> firstRun = new CopyOnWriteArrayList<>();
        long systemIdentifier;
        String clusterId;

        try (LocalLedger ledger = new LocalLedger(config, echoTo(firstRun))) {
            ledger.startInfrastructure();

            LocalLedger intruder = new LocalLedger(config, echoTo(new ArrayList<>()));
            assertThatThrownBy(intruder::startInfrastructure).hasMessageContaining("another local ledger is running");

            try (Connection db = connect(ledger)) {
                assertThat(queryString(db, "select version()")).startsWith("PostgreSQL 16");
                assertThat(queryString(db, "select current_database()")).isEqualTo("ledger");
                systemIdentifier = Long.parseLong(queryString(db, "select system_identifier from pg_control_system()"));
                try (Statement statement = db.createStatement()) {
                    statement.execute("create table survivor (id int primary key, note text not null)");
                    statement.execute("insert into survivor values (1, 'written before the restart')");
                }
            }

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ledger.kafkaBootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
                clusterId = admin.describeCluster().clusterId().get();
            }
            try (KafkaProducer<String, String> producer = producer(ledger)) {
                producer.send(new ProducerRecord<>(TOPIC, "inv_1", "sent before the restart")).get();
            }
            assertThat(readAll(ledger)).containsExactly("inv_1=sent before the restart");
        }

        assertThat(firstRun).anyMatch(line -> line.startsWith("postgres up on :") && line.contains("new cluster"));
        assertThat(firstRun).anyMatch(line -> line.startsWith("kafka up on :") && line.contains("new log directory"));
        assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();

        List<String> secondRun = new CopyOnWriteArrayList<>();
        try (LocalLedger ledger = new LocalLedger(config, echoTo(secondRun))) {
            ledger.startInfrastructure();

            try (Connection db = connect(ledger)) {
                assertThat(queryString(db, "select note from survivor where id = 1")).isEqualTo("written before the restart");
                // Same cluster, not a fresh initdb that happens to hold a table of the same name.
                assertThat(Long.parseLong(queryString(db, "select system_identifier from pg_control_system()")))
                        .isEqualTo(systemIdentifier);
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ledger.kafkaBootstrapServers()))) {
                assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
            }
            assertThat(readAll(ledger)).containsExactly("inv_1=sent before the restart");
        }

        assertThat(secondRun).anyMatch(line -> line.startsWith("postgres up on :"))
                .noneMatch(line -> line.contains("new cluster") || line.contains("new log directory"));
        assertThat(Files.readString(dataDir.resolve("logs/postgres.log"))).contains("database system is ready to accept connections");
    }

    /**
     * The hooks of the crash tests: PostgreSQL's postmaster and a child-process Kafka die by SIGKILL
     * (nothing flushed, no clean shutdown) and come back on the same data, committed rows and
     * acknowledged records intact.
     */
    @Test
    void postgresAndAChildProcessKafkaSurviveKillNine() throws Exception {
        LocalLedger.Config config = LocalLedger.Config.ephemeral(Path.of("..").toAbsolutePath(), dataDir)
                .withKafkaChildProcess(true);
        try (LocalLedger ledger = new LocalLedger(config, System.out::println)) {
            ledger.startInfrastructure();
            long postmaster = postmasterPid();
            try (Connection db = connect(ledger); Statement statement = db.createStatement()) {
                statement.execute("create table survivor (id int primary key, note text not null)");
                statement.execute("insert into survivor values (1, 'committed before the kill')");
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ledger.kafkaBootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = producer(ledger)) {
                producer.send(new ProducerRecord<>(TOPIC, "inv_1", "acknowledged before the kill")).get();
            }
            long kafkaPid = Long.parseLong(Files.readString(dataDir.resolve("run/kafka.pid")).trim());
            assertThat(ProcessHandle.of(kafkaPid).flatMap(h -> h.info().commandLine()).orElse(""))
                    .as("Kafka runs in its own JVM").contains("-Dledger.local.kafka=");

            ledger.kill(LocalLedger.Component.POSTGRES);
            ledger.kill(LocalLedger.Component.KAFKA);
            assertThat(ProcessHandle.of(postmaster)).isEmpty();
            assertThat(ProcessHandle.of(kafkaPid)).isEmpty();
            assertThatThrownBy(() -> connect(ledger).close()).isInstanceOf(SQLException.class);

            ledger.restart(LocalLedger.Component.POSTGRES);
            ledger.restart(LocalLedger.Component.KAFKA);

            assertThat(postmasterPid()).isNotEqualTo(postmaster);
            try (Connection db = connect(ledger)) {
                assertThat(queryString(db, "select note from survivor where id = 1")).isEqualTo("committed before the kill");
            }
            assertThat(readAll(ledger)).containsExactly("inv_1=acknowledged before the kill");
            assertThat(Files.readString(dataDir.resolve("logs/postgres.log")))
                    .as("PostgreSQL noticed the crash and recovered from its WAL")
                    .contains("database system was interrupted");
        }
        assertThat(dataDir.resolve("run/kafka.pid")).doesNotExist();
    }

    private long postmasterPid() throws Exception {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0).trim());
    }

    private static Consumer<String> echoTo(List<String> lines) {
        return line -> {
            System.out.println(line);
            lines.add(line);
        };
    }

    private static Connection connect(LocalLedger ledger) throws SQLException {
        return DriverManager.getConnection(ledger.jdbcUrl(), ledger.jdbcUser(), ledger.jdbcPassword());
    }

    private static String queryString(Connection db, String sql) throws SQLException {
        try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).as(sql).isTrue();
            return rows.getString(1);
        }
    }

    private static KafkaProducer<String, String> producer(LocalLedger ledger) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ledger.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer());
    }

    /** Everything in the topic, read by a new consumer group from the beginning. */
    private static List<String> readAll(LocalLedger ledger) {
        List<String> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ledger.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            Instant deadline = Instant.now().plusSeconds(30);
            while (records.isEmpty() && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    records.add(record.key() + "=" + record.value());
                }
            }
        }
        return records;
    }
}
