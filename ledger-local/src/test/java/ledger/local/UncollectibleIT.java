package ledger.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import ledger.testsupport.ApiClient;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Writing an invoice off through the gateway (SPEC §4.5): {@code mark_uncollectible} on a partly paid invoice makes
 * it {@code uncollectible} — the answer, the read model, the status filter, an {@code invoice.marked_uncollectible}
 * webhook, and the reports (out of the aging buckets, in {@code written_off}) all say so; the rest of the money
 * still settles it; a settled invoice, another store's, or a second mark are answered as such.
 */
@ExtendWith(SharedLedger.class)
@Order(SharedLedger.LAST)
class UncollectibleIT {

    private static final String[] SCOPES = {"invoices:read", "invoices:write", "payments:write",
            "events:read", "webhooks:write", "reports:read"};

    @Test
    void aWrittenOffInvoiceLeavesCollectionAndAPaymentStillSettlesIt(LocalLedger ledger) throws Exception {
        var api = new ApiClient(ledger.gatewayUrl());
        String key = api.storeWithKey(ledger.adminToken(), SCOPES)[1];
        String otherKey = api.storeWithKey(ledger.adminToken(), "invoices:write")[1];
        try (var receiver = new ModeIsolationIT.Receiver()) {
            var endpoint = api.post("/v1/webhook_endpoints", key, "{\"url\":\"" + receiver.url("/hooks")
                    + "\",\"enabled_events\":[\"invoice.marked_uncollectible\"]}");
            assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(201);

            String id = api.post("/v1/invoices", key, "{\"amount\":\"100.00\",\"currency\":\"EUR\"}").json()
                    .get("id").asText();
            String path = "/v1/invoices/" + id;
            assertThat(api.post(path + "/payments", key,
                    "{\"amount\":\"30.00\",\"currency\":\"EUR\",\"reference\":\"part\"}").status()).isEqualTo(201);
            assertThat(api.post(path + "/mark_uncollectible", otherKey, null).status()).isEqualTo(404);

            var marked = api.post(path + "/mark_uncollectible", key, null);
            assertThat(marked.status()).as(marked.raw()).isEqualTo(200);
            assertThat(marked.json().get("status").asText()).isEqualTo("uncollectible");
            assertThat(marked.json().get("amount_due").asText()).isEqualTo("70.00");
            assertThat(marked.json().get("marked_uncollectible_at").isTextual()).isTrue();
            var again = api.post(path + "/mark_uncollectible", key, null);
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.json().get("version")).isEqualTo(marked.json().get("version"));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(receiver.received("/hooks")).hasSize(1));
            JsonNode hook = receiver.received("/hooks").get(0);
            assertThat(hook.get("type").asText()).isEqualTo("invoice.marked_uncollectible");
            assertThat(hook.at("/data/invoice/status").asText()).isEqualTo("uncollectible");

            String version = marked.json().get("version").asText();
            assertThat(api.get(path, key, "Ledger-Version", version).json().get("status").asText())
                    .isEqualTo("uncollectible");
            assertThat(api.get("/v1/invoices?status=uncollectible", key).json().at("/data/0/id").asText())
                    .isEqualTo(id);
            JsonNode aging = api.get("/v1/reports/aging?currency=EUR", key).json().at("/data/0");
            assertThat(aging.get("outstanding").asText()).isEqualTo("0.00");
            assertThat(aging.at("/written_off/amount").asText()).isEqualTo("70.00");
            assertThat(aging.at("/written_off/count").asLong()).isEqualTo(1);
            JsonNode balance = api.get("/v1/reports/balances?currency=EUR", key).json().at("/data/0");
            assertThat(balance.get("written_off").asText()).isEqualTo("70.00");
            assertThat(balance.get("outstanding").asText()).isEqualTo("0.00");
            assertThat(balance.at("/counts/uncollectible").asLong()).isEqualTo(1);

            var settled = api.post(path + "/payments", key,
                    "{\"amount\":\"70.00\",\"currency\":\"EUR\",\"reference\":\"rest\"}");
            assertThat(settled.status()).as(settled.raw()).isEqualTo(201);
            assertThat(settled.json().at("/invoice/status").asText()).isEqualTo("paid");
            var refused = api.post(path + "/mark_uncollectible", key, null);
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.json().get("code").asText()).isEqualTo("invoice_not_markable_uncollectible");
        }
    }
}
