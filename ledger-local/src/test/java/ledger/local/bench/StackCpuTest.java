package ledger.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StackCpuTest {

    @Test
    void cpuPerCreateIsEachTreesTicksBetweenTheReadingsOverTheCreatesThenTheirTotal() {
        Map<String, Long> before = new LinkedHashMap<>();
        before.put("postgres", 1_000L);
        before.put("kafka", 500L);
        Map<String, Long> after = new LinkedHashMap<>();
        after.put("postgres", 1_400L);   // 400 ticks = 4 s at 100 ticks/s
        after.put("kafka", 600L);        // 1 s
        Map<String, Double> perCreate = StackCpu.msPerCreate(before, after, 1_000, 100);
        assertThat(perCreate).containsOnlyKeys("postgres", "kafka", "total");
        assertThat(perCreate.get("postgres")).isCloseTo(4.0, within(1e-9));
        assertThat(perCreate.get("kafka")).isCloseTo(1.0, within(1e-9));
        assertThat(perCreate.get("total")).isCloseTo(5.0, within(1e-9));
        assertThat(perCreate.keySet()).containsExactly("postgres", "kafka", "total");
    }

    @Test
    void postgresCpuPerServiceIsItsBackendsTicksBetweenTheReadingsCountingNewBackendsAndLeavingOutEndedOnes() {
        Map<String, Long> before = Map.of("command-service 101", 1_000L, "command-service 102", 2_000L,
                "webhook-dispatcher 201", 500L);
        Map<String, Long> after = Map.of("command-service 101", 1_300L, // 3 s
                "command-service 103", 100L,                              // started since: 1 s
                "webhook-dispatcher 201", 600L);                          // 1 s; 102 has ended
        Map<String, Double> perCreate = StackCpu.byService(StackCpu.msPerCreate(before, after, 1_000, 100));
        assertThat(perCreate.keySet()).containsExactly("command-service", "query-service", "webhook-dispatcher");
        assertThat(perCreate.get("command-service")).isCloseTo(4.0, within(1e-9));
        assertThat(perCreate.get("query-service")).isZero();
        assertThat(perCreate.get("webhook-dispatcher")).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void theCompilersShareIsTheirPartOfEachJvmsCpu() {
        Map<String, Double> all = Map.of("postgres", 9.0, "kafka", 2.0, "command-service", 4.0, "query-service", 0.0,
                "total", 15.0);
        Map<String, Double> compilers = Map.of("kafka", 0.02, "command-service", 1.0, "query-service", 0.0,
                "total", 1.02);
        Map<String, Double> share = StackCpu.compilerShare(all, compilers);
        assertThat(share).containsOnlyKeys("kafka", "command-service", "query-service", "total");
        assertThat(share.get("kafka")).isCloseTo(0.01, within(1e-12));
        assertThat(share.get("command-service")).isCloseTo(0.25, within(1e-12));
        assertThat(share.get("query-service")).as("no CPU, no share").isZero();
        assertThat(share.get("total")).as("of the JVMs' CPU, not PostgreSQL's").isCloseTo(1.02 / 6.0, within(1e-12));
    }

    @Test
    void noCreatesIsNoFigure() {
        assertThat(StackCpu.msPerCreate(Map.of("kafka", 1L), Map.of("kafka", 2L), 0, 100).get("total")).isNaN();
    }

    @Test
    void theTotalIsCpuMsPerCreateWithItsTargetAndEachProcessAMemberOfCpuMsPerCreateByProcess() throws Exception {
        Map<String, Double> perCreate = new LinkedHashMap<>();
        perCreate.put("postgres", 3.34);
        perCreate.put("api-gateway", 0.49);
        perCreate.put("total", 3.83);
        BenchResults results = new BenchResults().put("create_per_s", 235);
        StackCpu.putInto(results, perCreate, Map.of("command-service", 2.24), Map.of("command-service", 0.05));
        JsonNode json = new ObjectMapper().readTree(results.json());
        assertThat(json.path("create_per_s").asDouble()).as("existing keys kept").isEqualTo(235);
        assertThat(json.path("cpu_ms_per_create").asDouble()).isEqualTo(3.83);
        assertThat(json.path("targets_met").path("cpu_ms_per_create").asBoolean()).isTrue();
        assertThat(json.path("cpu_ms_per_create_by_process").path("postgres").asDouble()).isEqualTo(3.34);
        assertThat(json.path("cpu_ms_per_create_by_process").path("api-gateway").asDouble()).isEqualTo(0.49);
        assertThat(json.path("cpu_ms_per_create_by_process").has("total")).isFalse();
        assertThat(json.path("postgres_cpu_ms_per_create_by_service").path("command-service").asDouble()).isEqualTo(2.24);
        assertThat(json.path("compiler_cpu_ms_per_create_by_process").path("command-service").asDouble()).isEqualTo(0.05);
        assertThat(results.table()).contains("| cpu_ms_per_create | 3.83 | ≤ 4 | yes |")
                .contains("| cpu_ms_per_create_by_process.postgres | 3.34 |  |  |");
    }
}
