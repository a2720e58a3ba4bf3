package ledger.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import ledger.testsupport.ApiClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole ledger as {@code ./ledger up} runs it — embedded PostgreSQL and Kafka, the four real
 * service jars as separate JVMs, the demo store — on a temporary data folder and free ports. One
 * invoice travels HTTP → gateway → aggregate → event store → Kafka → projection → gateway, and is
 * still there after a full stop and start on the same data.
 */
class LedgerEndToEndIT {

    /** The request of seeds/001 ("Create invoice" curl example), pointed at the local gateway. */
    static final String SEED_EXAMPLE = "{\"amount\":\"99.00\",\"currency\":\"USD\",\"external_order_id\":\"order-1001\"}";

    @TempDir
    Path data;

    @Test
    void anInvoiceTravelsEndToEndAndSurvivesARestart() throws Exception {
        Path repo = Path.of("").toAbsolutePath().getParent();
        var config = LocalLedger.Config.ephemeral(repo, data).withServiceStartTimeout(Duration.ofSeconds(180))
                .withDemoApiKey("sk_test_readymeansready0123456789ab");
        String invoice;
        String path;
        try (var ledger = new LocalLedger(config)) {
            var answersAtFirstUp = FirstUp.createAndList(ledger.gatewayUrl(), config.demoApiKey());
            var demo = ledger.start();
            assertThat(answersAtFirstUp.get(1, TimeUnit.MINUTES)).as("SPEC §7: ready means ready").containsExactly(201, 200);
            var api = new ApiClient(ledger.gatewayUrl());

            var created = api.post("/v1/invoices", demo.apiKey(), SEED_EXAMPLE);
            assertThat(created.status()).as(created.raw()).isEqualTo(201);
            invoice = created.json().get("id").asText();
            assertThat(invoice).startsWith("inv_");
            path = "/v1/invoices/" + invoice;

            await().atMost(Duration.ofSeconds(30)).until(() -> api.get(path, demo.apiKey()).status() == 200);
            var view = api.get(path, demo.apiKey()).json();
            assertThat(view.get("amount").asText()).isEqualTo("99.00");
            assertThat(view.get("amount_paid").asText()).isEqualTo("0.00");
            assertThat(view.get("amount_due").asText()).isEqualTo("99.00");
            assertThat(view.get("external_order_id").asText()).isEqualTo("order-1001");

            var unauthenticated = api.get(path, null);
            assertThat(unauthenticated.status()).isEqualTo(401);
            assertThat(unauthenticated.json().get("code").asText()).isEqualTo("unauthenticated");
            String otherStoreKey = api.storeWithKey(ledger.adminToken(), "invoices:read")[1];
            var foreign = api.get(path, otherStoreKey);
            assertThat(foreign.status()).isEqualTo(404);
            assertThat(foreign.json().get("code").asText()).isEqualTo("resource_missing");

            var paid = api.post(path + "/payments", demo.apiKey(),
                    "{\"amount\":\"99.00\",\"currency\":\"USD\",\"reference\":\"bank-1\"}");
            assertThat(paid.status()).as(paid.raw()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    api.get(path, demo.apiKey()).json().path("status").asText().equals("paid"));
        }

        try (var restarted = new LocalLedger(config.withDataDir(data))) {
            var demo = restarted.start();
            var view = new ApiClient(restarted.gatewayUrl()).get(path, demo.apiKey());
            assertThat(view.status()).as(view.raw()).isEqualTo(200);
            assertThat(view.json().get("id").asText()).isEqualTo(invoice);
            assertThat(view.json().get("status").asText()).isEqualTo("paid");
            assertThat(view.json().get("amount_paid").asText()).isEqualTo("99.00");
        }
    }
}
