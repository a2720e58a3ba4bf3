package ledger.local.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import ledger.local.LocalLedger;
import ledger.local.SharedLedger;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bench's split of PostgreSQL's CPU by service rests on the services naming their connections: on a running
 * stack every service with a pool shows up among PostgreSQL's backends under its own name, with a live pid.
 */
@ExtendWith(SharedLedger.class)
@Order(SharedLedger.LAST)
class StackCpuIT {

    @Test
    void everyServiceWithAPoolHasBackendsUnderItsOwnName(LocalLedger ledger) throws Exception {
        Map<String, Long> backends;
        try (Connection db = DriverManager.getConnection(ledger.jdbcUrl(), ledger.jdbcUser(), ledger.jdbcPassword())) {
            backends = StackCpu.backends(db);
        }
        assertThat(backends.keySet().stream().map(backend -> backend.substring(0, backend.indexOf(' '))).distinct())
                .containsExactlyInAnyOrder("command-service", "query-service", "webhook-dispatcher");
        Map<String, Long> ticks = new ProcessCpu(Path.of("/proc")).ticks(backends);
        assertThat(ticks.values()).as("CPU read from /proc for the backends: %s", backends).anyMatch(t -> t > 0);
    }
}
