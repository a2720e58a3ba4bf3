package ledger.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * One real PostgreSQL and one real Kafka broker per test JVM, on ephemeral ports, shared by every
 * integration test: Testcontainers when a Docker engine answers, embedded servers (zonky PostgreSQL,
 * a KRaft broker) otherwise. They stop when the JVM exits.
 */
public final class LedgerInfrastructure {

    private static final Logger log = LoggerFactory.getLogger(LedgerInfrastructure.class);
    private static Servers servers;

    private LedgerInfrastructure() {
    }

    /** JDBC URL, user, password and Kafka bootstrap servers of the shared servers. */
    public record Servers(String jdbcUrl, String user, String password, String bootstrapServers) {

        /** Spring properties pointing a service at these servers. */
        public Map<String, Object> springProperties() {
            return Map.of("spring.datasource.url", jdbcUrl, "spring.datasource.username", user,
                    "spring.datasource.password", password, "spring.kafka.bootstrap-servers", bootstrapServers);
        }
    }

    public static synchronized Servers servers() {
        if (servers == null) {
            long start = System.nanoTime();
            servers = dockerAvailable() ? containers() : embedded();
            log.info("Test PostgreSQL {} and Kafka {} ready in {} ms", servers.jdbcUrl(), servers.bootstrapServers(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        return servers;
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    private static Servers embedded() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
            var kafka = new EmbeddedKafkaKraftBroker(1, 1);
            kafka.afterPropertiesSet();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                kafka.destroy();
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is going away; the temp directory goes with it
                }
            }, "test-infrastructure-stop"));
            return new Servers(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres",
                    kafka.getBrokersAsString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("resource") // stopped by Testcontainers' reaper with the JVM
    private static Servers containers() {
        var postgres = new PostgreSQLContainer<>(DockerImageName.parse("postgres:16"));
        var kafka = new KafkaContainer(DockerImageName.parse("apache/kafka:3.9.1"));
        postgres.start();
        kafka.start();
        return new Servers(postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword(),
                kafka.getBootstrapServers());
    }

    /** Use with {@code @ContextConfiguration(initializers = LedgerInfrastructure.Initializer.class)}. */
    public static final class Initializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            context.getEnvironment().getPropertySources()
                    .addFirst(new MapPropertySource("ledger-test-infrastructure", servers().springProperties()));
        }
    }
}
