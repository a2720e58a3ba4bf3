package ledger.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import ledger.testsupport.ApiClient;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Corrections after issue through the gateway (SPEC §4.5): credit notes lower what is due and can settle an invoice,
 * refunds give money back without touching what was owed; both reach the answer, the read model, their webhooks,
 * the events feed, the balances and the hosted page; and fifty refunds racing on one invoice never give back more
 * than was paid.
 */
@ExtendWith(SharedLedger.class)
@Order(SharedLedger.LAST)
class CorrectionsIT {

    private static final String[] SCOPES = {"invoices:read", "invoices:write", "payments:write",
            "events:read", "webhooks:write", "reports:read"};

    @Test
    void aCreditNoteLowersWhatIsDueAndARefundGivesMoneyBack(LocalLedger ledger) throws Exception {
        var api = new ApiClient(ledger.gatewayUrl());
        String key = api.storeWithKey(ledger.adminToken(), SCOPES)[1];
        String otherKey = api.storeWithKey(ledger.adminToken(), "invoices:write", "payments:write")[1];
        try (var receiver = new ModeIsolationIT.Receiver()) {
            var endpoint = api.post("/v1/webhook_endpoints", key, "{\"url\":\"" + receiver.url("/hooks")
                    + "\",\"enabled_events\":[\"invoice.credited\",\"invoice.refunded\"]}");
            assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(201);
            JsonNode invoice = api.post("/v1/invoices", key, "{\"amount\":\"100.00\",\"currency\":\"GBP\"}").json();
            String path = "/v1/invoices/" + invoice.get("id").asText();
            assertThat(api.post(path + "/payments", key,
                    "{\"amount\":\"30.00\",\"currency\":\"GBP\",\"reference\":\"part\"}").status()).isEqualTo(201);

            var tooMuch = api.post(path + "/credit_notes", key, "{\"amount\":\"70.01\",\"reason\":\"order_change\"}");
            assertThat(tooMuch.status()).as(tooMuch.raw()).isEqualTo(400);
            assertThat(tooMuch.json().get("code").asText()).isEqualTo("amount_too_large");
            var badReason = api.post(path + "/credit_notes", key, "{\"amount\":\"1.00\",\"reason\":\"because\"}");
            assertThat(badReason.status()).isEqualTo(400);
            assertThat(badReason.json().get("param").asText()).isEqualTo("reason");
            assertThat(api.post(path + "/credit_notes", otherKey, "{\"amount\":\"1.00\",\"reason\":\"other\"}")
                    .status()).isEqualTo(404);

            var credited = api.post(path + "/credit_notes", key, "{\"amount\":\"20.00\",\"reason\":\"order_change\","
                    + "\"memo\":\"one seat fewer\"}", "Idempotency-Key", "credit-1");
            assertThat(credited.status()).as(credited.raw()).isEqualTo(201);
            assertThat(credited.json().at("/credit_note/id").asText()).startsWith("cn_");
            assertThat(credited.json().at("/credit_note/memo").asText()).isEqualTo("one seat fewer");
            assertThat(credited.json().at("/invoice/amount_credited").asText()).isEqualTo("20.00");
            assertThat(credited.json().at("/invoice/amount_due").asText()).isEqualTo("50.00");
            assertThat(credited.json().at("/invoice/status").asText()).isEqualTo("partially_paid");
            var replayed = api.post(path + "/credit_notes", key, "{\"amount\":\"20.00\",\"reason\":\"order_change\","
                    + "\"memo\":\"one seat fewer\"}", "Idempotency-Key", "credit-1");
            assertThat(replayed.raw()).isEqualTo(credited.raw());

            var settled = api.post(path + "/payments", key,
                    "{\"amount\":\"55.00\",\"currency\":\"GBP\",\"reference\":\"rest\"}");
            assertThat(settled.json().at("/invoice/status").asText()).isEqualTo("overpaid");
            assertThat(settled.json().at("/invoice/amount_overpaid").asText()).isEqualTo("5.00");
            String overpayment = settled.json().at("/payment/id").asText();
            var creditTooLate = api.post(path + "/credit_notes", key, "{\"amount\":\"1.00\",\"reason\":\"other\"}");
            assertThat(creditTooLate.status()).isEqualTo(409);
            assertThat(creditTooLate.json().get("code").asText()).isEqualTo("invoice_not_creditable");

            var refund = api.post(path + "/refunds", key, "{\"amount\":\"5.00\",\"reference\":\"rf-excess\","
                    + "\"payment\":\"" + overpayment + "\",\"reason\":\"overpaid\"}");
            assertThat(refund.status()).as(refund.raw()).isEqualTo(201);
            assertThat(refund.json().at("/refund/id").asText()).startsWith("re_");
            assertThat(refund.json().at("/refund/payment").asText()).isEqualTo(overpayment);
            assertThat(refund.json().at("/invoice/amount_refunded").asText()).isEqualTo("5.00");
            assertThat(refund.json().at("/invoice/status").asText()).isEqualTo("overpaid");
            assertThat(refund.json().at("/invoice/amount_paid").asText()).isEqualTo("85.00");
            var same = api.post(path + "/refunds", key, "{\"amount\":\"5\",\"reference\":\"rf-excess\"}");
            assertThat(same.status()).isEqualTo(200);
            assertThat(same.json().at("/refund/id")).isEqualTo(refund.json().at("/refund/id"));
            var conflict = api.post(path + "/refunds", key, "{\"amount\":\"6.00\",\"reference\":\"rf-excess\"}");
            assertThat(conflict.status()).isEqualTo(409);
            assertThat(conflict.json().get("code").asText()).isEqualTo("refund_reference_conflict");
            var beyond = api.post(path + "/refunds", key, "{\"amount\":\"80.01\",\"reference\":\"rf-all\"}");
            assertThat(beyond.status()).isEqualTo(400);
            assertThat(beyond.json().get("code").asText()).isEqualTo("amount_too_large");
            var decimals = api.post(path + "/refunds", key, "{\"amount\":\"1.001\",\"reference\":\"rf-x\"}");
            assertThat(decimals.status()).isEqualTo(400);
            assertThat(decimals.json().get("param").asText()).isEqualTo("amount");

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(receiver.received("/hooks")).hasSize(2));
            assertThat(receiver.received("/hooks")).extracting(h -> h.get("type").asText())
                    .containsExactly("invoice.credited", "invoice.refunded");
            assertThat(receiver.received("/hooks").get(0).at("/data/credit_note/amount").asText()).isEqualTo("20.00");
            assertThat(receiver.received("/hooks").get(1).at("/data/refund/reference").asText()).isEqualTo("rf-excess");

            String version = refund.json().at("/invoice/version").asText();
            JsonNode read = api.get(path, key, "Ledger-Version", version).json();
            assertThat(read.get("credit_notes")).hasSize(1);
            assertThat(read.get("refunds")).hasSize(1);
            assertThat(read.get("amount_refunded").asText()).isEqualTo("5.00");
            JsonNode types = api.get("/v1/events?invoice=" + read.get("id").asText(), key).json().get("data");
            assertThat(types.findValuesAsText("type")).contains("CreditNoteIssued", "RefundIssued");
            JsonNode balance = api.get("/v1/reports/balances?currency=GBP", key).json().at("/data/0");
            assertThat(balance.get("invoiced").asText()).isEqualTo("100.00");
            assertThat(balance.get("credited").asText()).isEqualTo("20.00");
            assertThat(balance.get("paid").asText()).isEqualTo("85.00");
            assertThat(balance.get("refunded").asText()).isEqualTo("5.00");
            assertThat(balance.get("overpaid").asText()).isEqualTo("5.00");

            String checkout = invoice.get("checkout_url").asText();
            var page = api.get(checkout.substring(checkout.indexOf("/checkout/")), null);
            assertThat(page.raw()).contains("data-field=\"amount_credited\">20.00<",
                    "data-field=\"amount_refunded\">5.00<");
        }
    }

    @Test
    void aCreditNoteOfAllThatIsDueSettlesTheInvoice(LocalLedger ledger) {
        var api = new ApiClient(ledger.gatewayUrl());
        String key = api.storeWithKey(ledger.adminToken(), SCOPES)[1];
        String id = api.post("/v1/invoices", key, "{\"amount\":\"1500\",\"currency\":\"JPY\"}").json()
                .get("id").asText();
        var credited = api.post("/v1/invoices/" + id + "/credit_notes", key,
                "{\"amount\":\"1500\",\"currency\":\"JPY\",\"reason\":\"duplicate\"}");
        assertThat(credited.status()).as(credited.raw()).isEqualTo(201);
        assertThat(credited.json().at("/invoice/status").asText()).isEqualTo("paid");
        assertThat(credited.json().at("/invoice/amount_due").asText()).isEqualTo("0");
        assertThat(credited.json().at("/invoice/paid_at").isTextual()).isTrue();
        var payment = api.post("/v1/invoices/" + id + "/payments", key,
                "{\"amount\":\"1\",\"currency\":\"JPY\",\"reference\":\"late\"}");
        assertThat(payment.status()).isEqualTo(409);
    }

    /** Every refund takes the invoice's lock in turn, so the ones that fit are issued and the rest refused. */
    @Test
    void fiftyConcurrentRefundsNeverGiveBackMoreThanWasPaid(LocalLedger ledger) throws Exception {
        var api = new ApiClient(ledger.gatewayUrl());
        String key = api.storeWithKey(ledger.adminToken(), SCOPES)[1];
        String path = "/v1/invoices/" + api.post("/v1/invoices", key, "{\"amount\":\"100.00\",\"currency\":\"USD\"}")
                .json().get("id").asText();
        assertThat(api.post(path + "/payments", key,
                "{\"amount\":\"100.00\",\"currency\":\"USD\",\"reference\":\"all\"}").status()).isEqualTo(201);

        var attempts = new ArrayList<Callable<ApiClient.Response>>();
        for (int i = 0; i < 50; i++) {
            String body = "{\"amount\":\"7.00\",\"reference\":\"race-" + i + "\"}";
            attempts.add(() -> api.post(path + "/refunds", key, body));
        }
        List<ApiClient.Response> answers = new ArrayList<>();
        var pool = Executors.newFixedThreadPool(16);
        try {
            for (Future<ApiClient.Response> answer : pool.invokeAll(attempts)) {
                answers.add(answer.get());
            }
        } finally {
            pool.shutdownNow();
        }

        long issued = answers.stream().filter(a -> a.status() == 201).count();
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).as(a.raw()).isIn(201, 400, 409));
        assertThat(answers).filteredOn(a -> a.status() == 400)
                .allSatisfy(a -> assertThat(a.json().get("code").asText()).isEqualTo("amount_too_large"));
        JsonNode read = api.get(path, key, "Ledger-Version", Long.toString(2 + issued)).json();
        BigDecimal refunded = new BigDecimal(read.get("amount_refunded").asText());
        assertThat(refunded).isEqualByComparingTo(new BigDecimal("7.00").multiply(BigDecimal.valueOf(issued)));
        assertThat(refunded).isLessThanOrEqualTo(new BigDecimal("100.00"));
        assertThat(read.get("refunds")).hasSize((int) issued);
        // 14 × 7.00 fit into 100.00; a refusal for contention (409) may leave fewer, never more
        assertThat(issued).isBetween(1L, 14L);
        assertThat(answers.stream().filter(a -> a.status() == 400).count()).isGreaterThan(0);
    }
}
