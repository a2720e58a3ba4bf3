package ledger.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import ledger.testsupport.ApiClient;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Overdue through the gateway (SPEC §4.2): a backdated invoice is accepted and goes overdue within seconds —
 * its view, the overdue list, the events feed and an {@code invoice.overdue} webhook all say so — while an
 * invoice due later does not; a payment in full ends it being overdue and keeps when it went overdue.
 */
@ExtendWith(SharedLedger.class)
@Order(SharedLedger.LAST)
class OverdueIT {

    private static final String[] SCOPES = {"invoices:read", "invoices:write", "payments:write",
            "events:read", "webhooks:write"};

    @Test
    void aBackdatedInvoiceGoesOverdueEverywhereAndAPaymentEndsIt(LocalLedger ledger) throws Exception {
        var api = new ApiClient(ledger.gatewayUrl());
        String key = api.storeWithKey(ledger.adminToken(), SCOPES)[1];
        try (var receiver = new ModeIsolationIT.Receiver()) {
            var endpoint = api.post("/v1/webhook_endpoints", key,
                    "{\"url\":\"" + receiver.url("/hooks") + "\",\"enabled_events\":[\"invoice.overdue\"]}");
            assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(201);

            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            String late = create(api, key, today.minusDays(2));
            String onTime = create(api, key, today.plusDays(1));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(receiver.received("/hooks")).hasSize(1));
            JsonNode hook = receiver.received("/hooks").get(0);
            assertThat(hook.get("type").asText()).isEqualTo("invoice.overdue");
            assertThat(hook.at("/data/invoice/id").asText()).isEqualTo(late);
            assertThat(hook.at("/data/invoice/overdue").asBoolean()).isTrue();
            assertThat(hook.at("/data/invoice/status").asText()).isEqualTo("open");

            String path = "/v1/invoices/" + late;
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get(path, key).json().path("overdue").asBoolean());
            String overdueAt = api.get(path, key).json().get("overdue_at").asText();
            assertThat(api.get("/v1/invoices/" + onTime, key).json().get("overdue").asBoolean()).isFalse();
            assertThat(ids(api.get("/v1/invoices?overdue=true", key).json())).containsExactly(late);
            assertThat(ids(api.get("/v1/invoices?overdue=false", key).json())).containsExactly(onTime);
            var events = api.get("/v1/events?type=invoice.overdue", key).json().get("data");
            assertThat(events).hasSize(1);
            assertThat(events.get(0).at("/data/due_date").asText()).isEqualTo(today.minusDays(2).toString());

            var paid = api.post(path + "/payments", key,
                    "{\"amount\":\"25.00\",\"currency\":\"USD\",\"reference\":\"late-payment\"}");
            assertThat(paid.status()).as(paid.raw()).isEqualTo(201);
            assertThat(paid.json().at("/invoice/overdue").asBoolean()).isFalse();
            assertThat(paid.json().at("/invoice/overdue_at").asText()).isEqualTo(overdueAt);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    ids(api.get("/v1/invoices?overdue=true", key).json()).isEmpty());
            assertThat(receiver.received("/hooks")).as("one overdue webhook, however many instances poll").hasSize(1);
        }
    }

    private static String create(ApiClient api, String key, LocalDate dueDate) {
        var created = api.post("/v1/invoices", key, "{\"amount\":\"25.00\",\"currency\":\"USD\",\"due_date\":\""
                + dueDate + "\",\"expires_in\":604800}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.json().get("overdue").asBoolean()).isFalse();
        return created.json().get("id").asText();
    }

    private static List<String> ids(JsonNode list) {
        var ids = new ArrayList<String>();
        list.get("data").forEach(n -> ids.add(n.get("id").asText()));
        return ids;
    }
}
