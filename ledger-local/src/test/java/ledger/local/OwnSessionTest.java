package ledger.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OwnSessionTest {

    @Test
    void servicesRunOnTheSerialCollectorWithTwoC2ThreadsUnlessConfigured() {
        assertThat(OwnSession.jvmOptions(Map.of())).containsExactly("-XX:+UseSerialGC", "-XX:CICompilerCount=3");
    }

    @Test
    void configuredOptionsReplaceTheDefaults() {
        assertThat(OwnSession.jvmOptions(Map.of("LEDGER_JVM_OPTIONS", "  -XX:+UseG1GC   -Xss512k ")))
                .containsExactly("-XX:+UseG1GC", "-Xss512k");
    }

    @Test
    void anEmptyValueGivesTheJvmItsOwnDefaults() {
        assertThat(OwnSession.jvmOptions(Map.of("LEDGER_JVM_OPTIONS", " "))).isEmpty();
    }
}
