package ledger.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import ledger.events.LedgerJson;
import ledger.testsupport.ApiClient;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Line items through the gateway (SPEC §4.2), in a three-decimal currency: the invoice's amount is the sum of its
 * lines, and the create's answer, the read model, the {@code invoice.created} webhook, the events feed, the export
 * and the hosted page all show the same lines with the same figures; a payment keeps them.
 */
@ExtendWith(SharedLedger.class)
@Order(SharedLedger.LAST)
class LineItemsIT {

    private static final String[] SCOPES = {"invoices:read", "invoices:write", "payments:write",
            "events:read", "webhooks:write"};

    @Test
    void anItemisedInvoiceShowsTheSameLinesEverywhere(LocalLedger ledger) throws Exception {
        var api = new ApiClient(ledger.gatewayUrl());
        String key = api.storeWithKey(ledger.adminToken(), SCOPES)[1];
        try (var receiver = new ModeIsolationIT.Receiver()) {
            var endpoint = api.post("/v1/webhook_endpoints", key,
                    "{\"url\":\"" + receiver.url("/hooks") + "\",\"enabled_events\":[\"invoice.created\"]}");
            assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(201);

            // 2.5 × 0.125 = 0.3125 (0.312), −50 % = 0.15625 (0.156); 1 × 1.005 + 10 % = 1.1055 (1.106): 1.262 in all
            var created = api.post("/v1/invoices", key, """
                    {"currency":"BHD","description":"Spices","line_items":[
                      {"description":"Saffron threads","quantity":"2.5","unit_amount":"0.125","discount_percent":"50"},
                      {"description":"Cardamom","quantity":"1","unit_amount":"1.005","tax_percent":"10"}]}""");
            assertThat(created.status()).as(created.raw()).isEqualTo(201);
            JsonNode invoice = created.json();
            assertThat(invoice.get("amount").asText()).isEqualTo("1.262");
            JsonNode lines = invoice.get("line_items");
            assertThat(lines.get(0).get("amount_subtotal").asText()).isEqualTo("0.312");
            assertThat(lines.get(0).get("amount_discount").asText()).isEqualTo("0.156");
            assertThat(lines.get(0).get("amount_total").asText()).isEqualTo("0.156");
            assertThat(lines.get(1).get("amount_tax").asText()).isEqualTo("0.101");
            assertThat(lines.get(1).get("amount_total").asText()).isEqualTo("1.106");
            String id = invoice.get("id").asText();

            var read = api.get("/v1/invoices/" + id, key, "Ledger-Version", "1");
            assertThat(read.status()).as(read.raw()).isEqualTo(200);
            assertThat(read.json().get("line_items")).isEqualTo(lines);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(receiver.received("/hooks")).hasSize(1));
            assertThat(receiver.received("/hooks").get(0).at("/data/invoice/line_items")).isEqualTo(lines);

            var events = api.get("/v1/events?invoice=" + id, key).json().get("data");
            JsonNode event = events.get(0).get("data");
            assertThat(event.get("schema_revision").asInt()).isEqualTo(2);
            assertThat(event.at("/line_items/1/amount_tax")).isEqualTo(
                    LedgerJson.mapper().readTree("{\"amount\":\"0.101\",\"currency\":\"BHD\"}"));
            var export = api.get("/v1/exports/events?format=ndjson&invoice=" + id, key);
            assertThat(export.status()).as(export.raw()).isEqualTo(200);
            assertThat(export.raw()).contains("\"description\":\"Saffron threads\"", "\"amount_total\":{\"amount\":\"1.106\"");

            String checkout = invoice.get("checkout_url").asText();
            var page = api.get(checkout.substring(checkout.indexOf("/checkout/")), null);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.raw()).contains("<td>Saffron threads</td>", "<td>Cardamom</td>", "<td>1.106</td>");

            var paid = api.post("/v1/invoices/" + id + "/payments", key,
                    "{\"amount\":\"1.262\",\"currency\":\"BHD\",\"reference\":\"spice-1\"}");
            assertThat(paid.status()).as(paid.raw()).isEqualTo(201);
            assertThat(paid.json().at("/invoice/status").asText()).isEqualTo("paid");
            assertThat(paid.json().at("/invoice/line_items")).isEqualTo(lines);
        }
    }
}
