package ledger.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IdleLatencyTest {

    @Test
    void oneSlowCreateOfThirtyIsTheP99AndTheMedianStaysFast() throws Exception {
        List<Long> visible = new ArrayList<>();
        List<Long> webhook = new ArrayList<>();
        for (long i = 1; i <= 29; i++) {
            visible.add(i);
            webhook.add(10 + i);
        }
        visible.add(1_045L);
        webhook.add(IdleLatency.GIVE_UP_MS);   // never received
        IdleLatency.Result result = new IdleLatency.Result(visible, webhook, 0, 0, 1);
        assertThat(result.visible(50)).isEqualTo(15);
        assertThat(result.visible(99)).isEqualTo(1_045);
        assertThat(result.webhook(50)).isEqualTo(25);
        assertThat(result.webhook(99)).isEqualTo(10_000);

        BenchResults results = new BenchResults();
        result.putInto(results);
        JsonNode json = new ObjectMapper().readTree(results.json());
        assertThat(json.path("idle_creates").asInt()).isEqualTo(30);
        assertThat(json.path("idle_visible_p50_ms").asDouble()).isEqualTo(15);
        assertThat(json.path("idle_visible_p99_ms").asDouble()).isEqualTo(1_045);
        assertThat(json.path("idle_webhook_p50_ms").asDouble()).isEqualTo(25);
        assertThat(json.path("idle_webhook_p99_ms").asDouble()).isEqualTo(10_000);
        assertThat(json.path("targets_met").path("idle_visible_p99_ms").asBoolean()).isFalse();
        assertThat(json.path("targets_met").path("idle_webhook_p99_ms").asBoolean()).isFalse();
        assertThat(results.table()).contains("| idle_visible_p99_ms | 1,045 | ≤ 50 ms | **no** |");
    }

    @Test
    void fastIdleCreatesMeetTheTargets() throws Exception {
        List<Long> fast = new ArrayList<>();
        for (long i = 1; i <= 30; i++) {
            fast.add(i);
        }
        BenchResults results = new BenchResults();
        new IdleLatency.Result(fast, fast, 0, 0, 0).putInto(results);
        JsonNode met = new ObjectMapper().readTree(results.json()).path("targets_met");
        assertThat(met.path("idle_visible_p99_ms").asBoolean()).isTrue();
        assertThat(met.path("idle_webhook_p99_ms").asBoolean()).isTrue();
    }
}
