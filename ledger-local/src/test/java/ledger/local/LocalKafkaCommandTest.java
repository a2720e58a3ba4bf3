package ledger.local;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalKafkaCommandTest {

    @Test
    void aTestClassPathHoldingKafkaRunsItsMainClassDirectly() {
        assertThat(LocalKafka.mainClass("a.jar:kafka.jar", true)).containsExactly("-cp", "a.jar:kafka.jar", "kafka.Kafka");
    }

    @Test
    void theLaunchersSpringBootJarRunsKafkaThroughItsPropertiesLauncher() {
        assertThat(LocalKafka.mainClass("ledger-local-exec.jar", false)).containsExactly("-cp", "ledger-local-exec.jar",
                "-Dloader.main=kafka.Kafka", "org.springframework.boot.loader.launch.PropertiesLauncher");
    }
}
