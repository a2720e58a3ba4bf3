package ledger.local.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import ledger.local.LocalLedger;
import ledger.local.SharedLedger;
import ledger.local.crash.WebhookReceiver;
import ledger.testsupport.ApiClient;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bench's webhook stages read the dispatcher's own tables: on a running stack, the deliveries of a few creates
 * are found with an inbox time and a first attempt after it, each after its event.
 */
@ExtendWith(SharedLedger.class)
@Order(SharedLedger.LAST)
class WebhookStagesIT {

    @Test
    void theDeliveriesOfAFewCreatesAreFoundWithBothStages(LocalLedger ledger) throws Exception {
        var api = new ApiClient(ledger.gatewayUrl());
        String key = api.storeWithKey(ledger.adminToken(), "invoices:write", "webhooks:write")[1];
        try (var receiver = new WebhookReceiver(0, 1)) {
            var endpoint = api.post("/v1/webhook_endpoints", key,
                    "{\"url\":\"" + receiver.url() + "\",\"enabled_events\":[\"invoice.created\"]}");
            assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(201);
            receiver.secret(endpoint.json().get("secret").asText());
            long from = System.currentTimeMillis();
            for (int i = 0; i < 3; i++) {
                var created = api.post("/v1/invoices", key, "{\"amount\":\"10.00\",\"currency\":\"USD\"}");
                assertThat(created.status()).as(created.raw()).isEqualTo(201);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.distinctEvents() == 3);
            long to = System.currentTimeMillis();

            // An attempt is recorded by the dispatcher's next round after it, a moment after the receiver had it.
            // Other tests' invoices may have events in the same span: these three are among the deliveries found.
            var read = new AtomicReference<WebhookStages>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (Connection db = DriverManager.getConnection(ledger.jdbcUrl(), ledger.jdbcUser(),
                        ledger.jdbcPassword())) {
                    read.set(WebhookStages.read(db, from, to));
                }
                return read.get().deliveries() >= 3;
            });
            WebhookStages stages = read.get();
            assertThat(stages.inboxP50Ms()).as(stages.toString()).isPositive().isLessThanOrEqualTo(stages.inboxP99Ms());
            assertThat(stages.firstAttemptP50Ms()).as(stages.toString()).isGreaterThanOrEqualTo(stages.inboxP50Ms())
                    .isLessThanOrEqualTo(stages.firstAttemptP99Ms());
            assertThat(stages.firstAttemptP99Ms()).as(stages.toString()).isLessThan(to - from);
        }
    }
}
