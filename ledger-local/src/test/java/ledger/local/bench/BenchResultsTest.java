package ledger.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BenchResultsTest {

    private static BenchResults sample() {
        return new BenchResults()
                .put("create_per_s", 812.456)
                .put("create_ratio", 0.3, BenchResults.Target.atLeast(0.40, "≥ 0.40"))
                .put("projection_lag_p99_ms", 42.0, BenchResults.Target.below(50, "≤ 50 ms"))
                .put("webhook_latency_p99_ms", Double.NaN, BenchResults.Target.below(100, "≤ 100 ms"))
                .heap("query-service", 180.5)
                .heap("api-gateway", 300)
                .note("projection_lag", "histogram");
    }

    @Test
    void jsonHoldsFiguresHeapPerServiceAndWhichTargetsAreMet() throws Exception {
        JsonNode json = new ObjectMapper().readTree(sample().json());
        assertThat(json.path("create_per_s").asDouble()).isEqualTo(812.456);
        assertThat(json.path("webhook_latency_p99_ms").isNull()).isTrue();
        assertThat(json.path("max_heap_mb_per_service").path("query-service").asDouble()).isEqualTo(180.5);
        assertThat(json.path("targets_met").path("create_ratio").asBoolean()).isFalse();
        assertThat(json.path("targets_met").path("projection_lag_p99_ms").asBoolean()).isTrue();
        assertThat(json.path("targets_met").path("webhook_latency_p99_ms").asBoolean()).isFalse();
        assertThat(json.path("targets_met").path("heap_query-service").asBoolean()).isTrue();
        assertThat(json.path("targets_met").path("heap_api-gateway").asBoolean()).isFalse();
        assertThat(json.path("notes").path("projection_lag").asText()).isEqualTo("histogram");
    }

    @Test
    void aFigureWithANullTargetHasNone() throws Exception {
        BenchResults results = new BenchResults().put("sustainable_projection_lag_p99_ms", 900.0, null);
        JsonNode json = new ObjectMapper().readTree(results.json());
        assertThat(json.path("sustainable_projection_lag_p99_ms").asDouble()).isEqualTo(900.0);
        assertThat(json.path("targets_met").has("sustainable_projection_lag_p99_ms")).isFalse();
        assertThat(results.table()).contains("| sustainable_projection_lag_p99_ms | 900 |  |  |");
    }

    @Test
    void tableMarksMissedTargets() {
        String table = sample().table();
        assertThat(table).startsWith("| figure | value | target | met |");
        assertThat(table).contains("| create_per_s | 812 |  |  |");
        assertThat(table).contains("| create_ratio | 0.30 | ≥ 0.40 | **no** |");
        assertThat(table).contains("| projection_lag_p99_ms | 42.00 | ≤ 50 ms | yes |");
        assertThat(table).contains("| webhook_latency_p99_ms | n/a | ≤ 100 ms | **no** |");
        assertThat(table).contains("| max_heap_mb_per_service.api-gateway | 300 | < 256 MB | **no** |");
    }
}
