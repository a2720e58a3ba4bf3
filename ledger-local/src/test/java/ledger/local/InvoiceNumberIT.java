package ledger.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import ledger.testsupport.ApiClient;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Invoice numbers through the gateway (SPEC §4.2): the admin API sets a store's prefix, creates are numbered in
 * sequence from 1 under it, and {@code GET /v1/invoices?number=} finds an invoice by the number its buyer quotes.
 */
@ExtendWith(SharedLedger.class)
@Order(SharedLedger.LAST)
class InvoiceNumberIT {

    @Test
    void aStoresInvoicesAreNumberedUnderItsPrefixAndFoundByNumber(LocalLedger ledger) {
        var api = new ApiClient(ledger.gatewayUrl());
        String[] store = api.storeWithKey(ledger.adminToken(), "invoices:read", "invoices:write");
        var prefix = api.send("PATCH", "/admin/v1/stores/" + store[0], ledger.adminToken(),
                "{\"invoice_prefix\":\"SHOP7\"}");
        assertThat(prefix.status()).as(prefix.raw()).isEqualTo(200);

        String[] ids = new String[3];
        for (int i = 0; i < 3; i++) {
            var created = api.post("/v1/invoices", store[1], "{\"amount\":\"12.50\",\"currency\":\"EUR\"}");
            assertThat(created.status()).as(created.raw()).isEqualTo(201);
            assertThat(created.json().get("number").asText()).isEqualTo("SHOP7-00000" + (i + 1));
            ids[i] = created.json().get("id").asText();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var found = api.get("/v1/invoices?number=SHOP7-000002", store[1]).json().get("data");
            assertThat(found).hasSize(1);
            assertThat(found.get(0).get("id").asText()).isEqualTo(ids[1]);
        });
        assertThat(api.get("/v1/invoices/" + ids[2], store[1]).json().get("number").asText()).isEqualTo("SHOP7-000003");
    }
}
