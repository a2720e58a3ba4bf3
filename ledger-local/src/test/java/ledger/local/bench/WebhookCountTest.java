package ledger.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookCountTest {

    private static JsonNode webhook(String id, Instant occurred) throws Exception {
        return new ObjectMapper().readTree("{\"id\":\"" + id + "\",\"type\":\"invoice.created\",\"timestamp\":\""
                + occurred + "\",\"data\":{}}");
    }

    @Test
    void countsEachEventOnceAndOnlyThoseThatOccurredFromItsStart() throws Exception {
        Instant start = Instant.parse("2026-12-05T06:00:00Z");
        WebhookCount count = new WebhookCount(start.toEpochMilli());
        count.offer(webhook("evt_before", start.minusMillis(1)));
        count.offer(webhook("evt_1", start));
        count.offer(webhook("evt_1", start));   // delivered again: at least once
        count.offer(webhook("evt_2", start.plusSeconds(6)));
        count.offer(new ObjectMapper().readTree("{\"id\":\"evt_3\",\"timestamp\":\"yesterday\"}"));
        assertThat(count.count()).isEqualTo(2);
        assertThat(count.await(2, Duration.ZERO)).isTrue();
        assertThat(count.await(3, Duration.ZERO)).isFalse();
    }
}
