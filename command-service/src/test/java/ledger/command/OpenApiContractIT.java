package ledger.command;

import static org.assertj.core.api.Assertions.assertThat;

import ledger.testsupport.ApiClient;
import ledger.testsupport.HandlerContract;
import ledger.testsupport.LedgerInfrastructure;
import ledger.testsupport.OpenApiDocument;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * command-service against the merchant API's OpenAPI document (SPEC §7): its handlers are exactly the
 * operations routed to it, with the documented scopes, and what it really answers — invoices, payments,
 * errors, stores and keys — matches the documented status, headers and schema.
 */
@AutoConfigureObservability // same context as CommandServiceIT
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ledger.admin-token=test-admin-token")
@ContextConfiguration(initializers = LedgerInfrastructure.Initializer.class)
class OpenApiContractIT {

    static final String ADMIN = "test-admin-token";
    static final OpenApiDocument DOCUMENT = OpenApiDocument.load();

    @LocalServerPort
    int port;

    ApiClient api() {
        return new ApiClient("http://localhost:" + port);
    }

    ApiClient.Response call(int status, String method, String path, String token, String body, String... headers) {
        return DOCUMENT.exchange(api(), status, method, path, token, body, headers);
    }

    /** A store and a key with {@code scopes}, made and checked through the admin API; returns {store id, key}. */
    String[] store(String... scopes) {
        var store = call(201, "POST", "/admin/v1/stores", ADMIN, "{\"name\":\"Contract store\"}");
        String storeId = store.json().get("id").asText();
        var key = call(201, "POST", "/admin/v1/stores/" + storeId + "/api_keys", ADMIN,
                "{\"mode\":\"test\",\"scopes\":[\"" + String.join("\",\"", scopes) + "\"]}");
        return new String[] {storeId, key.json().get("key").asText()};
    }

    @Test
    void handlersAreExactlyTheOperationsDocumentedForCommandService(
            @Autowired @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping mapping) {
        HandlerContract.assertMatches(DOCUMENT, "command-service", mapping);
    }

    @Test
    void createdInvoiceAndItsIdempotentReplayMatchTheInvoiceSchema() {
        String key = store("invoices:write")[1];
        String body = """
                {"amount":"250.00","currency":"EUR","external_order_id":"contract-1","description":"Annual plan",
                 "customer_email":"buyer@example.com","due_date":"2030-12-31","expires_in":86400,
                 "callback_url":"https://merchant.example.com/hooks","return_url":"https://merchant.example.com/thanks",
                 "metadata":{"channel":"web","cart":42,"gift":true,"api_key":"hidden"}}""";

        var created = call(201, "POST", "/v1/invoices", key, body, "Idempotency-Key", "contract-create-1");
        var replayed = call(201, "POST", "/v1/invoices", key, body, "Idempotency-Key", "contract-create-1");

        assertThat(created.header("Idempotent-Replayed")).isEmpty();
        assertThat(replayed.header("Idempotent-Replayed")).contains("true");
        assertThat(replayed.raw()).isEqualTo(created.raw());
        assertThat(created.json().get("metadata").has("api_key")).isFalse();
    }

    @Test
    void minimalInvoiceMatchesTheInvoiceSchema() {
        String key = store("invoices:write")[1];

        var created = call(201, "POST", "/v1/invoices", key, "{\"amount\":\"1000\",\"currency\":\"JPY\"}");

        assertThat(created.json().get("amount").asText()).isEqualTo("1000");
    }

    @Test
    void paymentsMatchThePaymentResultSchemaWhetherRecordedOrRepeated() {
        String key = store("invoices:write", "payments:write")[1];
        String invoice = call(201, "POST", "/v1/invoices", key, "{\"amount\":\"99.00\"}").json().get("id").asText();
        String path = "/v1/invoices/" + invoice + "/payments";

        var partial = call(201, "POST", path, key,
                "{\"amount\":\"40.00\",\"currency\":\"USD\",\"reference\":\"tx-1\",\"method\":\"bank_transfer\"}");
        var repeated = call(200, "POST", path, key, "{\"amount\":\"40.00\",\"currency\":\"USD\",\"reference\":\"tx-1\"}");
        var settled = call(201, "POST", path, key,
                "{\"amount\":\"60.00\",\"currency\":\"USD\",\"reference\":\"tx-2\",\"received_at\":\"2020-01-01T10:00:00+02:00\"}");

        assertThat(partial.json().at("/invoice/status").asText()).isEqualTo("partially_paid");
        assertThat(repeated.json().at("/payment/id").asText()).isEqualTo(partial.json().at("/payment/id").asText());
        assertThat(settled.json().at("/invoice/status").asText()).isEqualTo("overpaid");
        assertThat(settled.json().at("/payment/received_at").asText()).isEqualTo("2020-01-01T08:00:00Z");
    }

    @Test
    void paymentRefusalsCarryTheDocumentedCodes() {
        String key = store("invoices:write", "payments:write")[1];
        String invoice = call(201, "POST", "/v1/invoices", key, "{\"amount\":\"10.00\"}").json().get("id").asText();
        String path = "/v1/invoices/" + invoice + "/payments";

        call(400, "POST", path, key, "{\"amount\":\"10.00\",\"currency\":\"EUR\",\"reference\":\"r\"}");
        call(400, "POST", path, key, "{\"amount\":\"-1\",\"currency\":\"USD\"}");
        call(201, "POST", path, key, "{\"amount\":\"10.00\",\"currency\":\"USD\",\"reference\":\"r1\"}");
        var conflict = call(409, "POST", path, key, "{\"amount\":\"9.00\",\"currency\":\"USD\",\"reference\":\"r1\"}");
        var notPayable = call(409, "POST", path, key, "{\"amount\":\"1.00\",\"currency\":\"USD\",\"reference\":\"r2\"}");
        call(404, "POST", "/v1/invoices/inv_DoesNotExist000000000000/payments", key,
                "{\"amount\":\"1.00\",\"currency\":\"USD\",\"reference\":\"r\"}");
        call(404, "POST", "/v1/invoices/not-an-id/payments", key,
                "{\"amount\":\"1.00\",\"currency\":\"USD\",\"reference\":\"r\"}");

        assertThat(conflict.json().get("code").asText()).isEqualTo("payment_reference_conflict");
        assertThat(notPayable.json().get("code").asText()).isEqualTo("invoice_not_payable");
    }

    @Test
    void cancellationMatchesTheInvoiceSchemaAndItsRefusalTheDocumentedCode() {
        String key = store("invoices:write", "payments:write")[1];
        String open = call(201, "POST", "/v1/invoices", key, "{\"amount\":\"5.00\"}").json().get("id").asText();
        String paid = call(201, "POST", "/v1/invoices", key, "{\"amount\":\"5.00\"}").json().get("id").asText();
        call(201, "POST", "/v1/invoices/" + paid + "/payments", key,
                "{\"amount\":\"5.00\",\"currency\":\"USD\",\"reference\":\"p\"}");

        var cancelled = call(200, "POST", "/v1/invoices/" + open + "/cancel", key, "{\"reason\":\"duplicate\"}");
        call(200, "POST", "/v1/invoices/" + open + "/cancel", key, null);
        var refused = call(409, "POST", "/v1/invoices/" + paid + "/cancel", key, null);
        call(400, "POST", "/v1/invoices/" + open + "/cancel", key, "{\"reason\":\"" + "x".repeat(256) + "\"}");

        assertThat(cancelled.json().get("status").asText()).isEqualTo("cancelled");
        assertThat(refused.json().get("code").asText()).isEqualTo("invoice_not_cancellable");
    }

    @Test
    void refundsMatchTheRefundResultSchemaWhetherIssuedOrRepeatedAndTheirRefusalsTheDocumentedCodes() {
        String key = store("invoices:write", "payments:write")[1];
        String invoice = call(201, "POST", "/v1/invoices", key, "{\"amount\":\"99.00\"}").json().get("id").asText();
        String payment = call(201, "POST", "/v1/invoices/" + invoice + "/payments", key,
                "{\"amount\":\"40.00\",\"currency\":\"USD\",\"reference\":\"tx-1\"}").json().at("/payment/id").asText();
        String path = "/v1/invoices/" + invoice + "/refunds";
        String named = "{\"amount\":\"10.00\",\"currency\":\"USD\",\"reference\":\"re-1\",\"payment\":\"" + payment
                + "\",\"reason\":\"requested_by_customer\"}";

        var issued = call(201, "POST", path, key, named);
        var repeated = call(200, "POST", path, key, named);
        var plain = call(201, "POST", path, key, "{\"amount\":\"5\",\"reference\":\"re-2\"}");
        var tooLarge = call(400, "POST", path, key, "{\"amount\":\"25.01\",\"reference\":\"re-3\"}");
        var mismatch = call(400, "POST", path, key, "{\"amount\":\"1.00\",\"currency\":\"EUR\",\"reference\":\"re-3\"}");
        var unknownPayment = call(400, "POST", path, key,
                "{\"amount\":\"1.00\",\"reference\":\"re-3\",\"payment\":\"pay_DoesNotExist000000000000\"}");
        call(400, "POST", path, key, "{\"amount\":\"1.00\"}");
        var conflict = call(409, "POST", path, key, "{\"amount\":\"9.00\",\"reference\":\"re-1\"}");
        call(403, "POST", path, store("invoices:write")[1], "{\"amount\":\"1.00\",\"reference\":\"re-3\"}");
        call(404, "POST", "/v1/invoices/inv_DoesNotExist000000000000/refunds", key,
                "{\"amount\":\"1.00\",\"reference\":\"re-3\"}");

        assertThat(issued.json().at("/refund/payment").asText()).isEqualTo(payment);
        assertThat(repeated.json().at("/refund/id")).isEqualTo(issued.json().at("/refund/id"));
        assertThat(plain.json().at("/refund/payment").isNull()).isTrue();
        assertThat(plain.json().at("/invoice/amount_refunded").asText()).isEqualTo("15.00");
        assertThat(plain.json().at("/invoice/status").asText()).isEqualTo("partially_paid");
        assertThat(plain.json().at("/invoice/amount_due").asText()).isEqualTo("59.00");
        assertThat(tooLarge.json().get("code").asText()).isEqualTo("amount_too_large");
        assertThat(mismatch.json().get("code").asText()).isEqualTo("currency_mismatch");
        assertThat(unknownPayment.json().get("param").asText()).isEqualTo("payment");
        assertThat(conflict.json().get("code").asText()).isEqualTo("refund_reference_conflict");
    }

    @Test
    void creditNotesMatchTheCreditNoteResultSchemaAndTheirRefusalsTheDocumentedCodes() {
        String key = store("invoices:write", "payments:write")[1];
        String invoice = call(201, "POST", "/v1/invoices", key, "{\"amount\":\"99.00\"}").json().get("id").asText();
        call(201, "POST", "/v1/invoices/" + invoice + "/payments", key,
                "{\"amount\":\"40.00\",\"currency\":\"USD\",\"reference\":\"tx-1\"}");
        String path = "/v1/invoices/" + invoice + "/credit_notes";

        var credited = call(201, "POST", path, key,
                "{\"amount\":\"9.00\",\"currency\":\"USD\",\"reason\":\"order_change\",\"memo\":\"One coffee was out of stock\"}");
        var tooLarge = call(400, "POST", path, key, "{\"amount\":\"50.01\",\"reason\":\"other\"}");
        call(400, "POST", path, key, "{\"amount\":\"1.00\",\"reason\":\"changed_mind\"}");
        call(400, "POST", path, key, "{\"amount\":\"1.00\"}");
        call(400, "POST", path, key, "{\"amount\":\"1.00\",\"currency\":\"EUR\",\"reason\":\"other\"}");
        var settled = call(201, "POST", path, key, "{\"amount\":\"50.00\",\"reason\":\"product_unsatisfactory\"}");
        var refused = call(409, "POST", path, key, "{\"amount\":\"1.00\",\"reason\":\"other\"}");
        call(403, "POST", path, store("payments:write")[1], "{\"amount\":\"1.00\",\"reason\":\"other\"}");

        assertThat(credited.json().at("/credit_note/reason").asText()).isEqualTo("order_change");
        assertThat(credited.json().at("/invoice/amount_credited").asText()).isEqualTo("9.00");
        assertThat(credited.json().at("/invoice/amount_due").asText()).isEqualTo("50.00");
        assertThat(tooLarge.json().get("code").asText()).isEqualTo("amount_too_large");
        assertThat(settled.json().at("/invoice/status").asText()).isEqualTo("paid");
        assertThat(settled.json().at("/invoice/amount_due").asText()).isEqualTo("0.00");
        assertThat(refused.json().get("code").asText()).isEqualTo("invoice_not_creditable");
    }

    @Test
    void createRefusalsCarryTheDocumentedCodes() {
        String[] store = store("invoices:write");
        String key = store[1];

        var invalid = call(400, "POST", "/v1/invoices", key,
                "{\"amount\":\"1.001\",\"currency\":\"USD\",\"expires_in\":0,\"customer_email\":\"nope\"}");
        call(400, "POST", "/v1/invoices", key, "{\"currency\":\"USD\"}");
        call(400, "POST", "/v1/invoices", key, "{\"amount\":\"1.00\",\"amout\":\"2\"}");
        call(400, "POST", "/v1/invoices", key, "{\"amount\":");
        call(400, "POST", "/v1/invoices", key, "{\"description\":\"" + "x".repeat(70_000) + "\"}");
        call(403, "POST", "/v1/invoices", key, "{\"amount\":\"1.00\",\"store_id\":\"st_someoneElse\"}");
        call(401, "POST", "/v1/invoices", null, "{\"amount\":\"1.00\"}");
        call(401, "POST", "/v1/invoices", "sk_test_DoesNotExist0000000000000", "{\"amount\":\"1.00\"}");
        call(403, "POST", "/v1/invoices", store("invoices:read")[1], "{\"amount\":\"1.00\"}");
        call(415, "POST", "/v1/invoices", key, null, "Content-Type", "text/plain");
        call(201, "POST", "/v1/invoices", key, "{\"amount\":\"1.00\",\"external_order_id\":\"dup-1\"}");
        var duplicate = call(409, "POST", "/v1/invoices", key, "{\"amount\":\"2.00\",\"external_order_id\":\"dup-1\"}");
        call(201, "POST", "/v1/invoices", key, "{\"amount\":\"1.00\"}", "Idempotency-Key", "contract-reuse");
        var reused = call(409, "POST", "/v1/invoices", key, "{\"amount\":\"2.00\"}", "Idempotency-Key", "contract-reuse");

        assertThat(invalid.json().get("details")).hasSize(3);
        assertThat(duplicate.json().get("code").asText()).isEqualTo("duplicate_external_order_id");
        assertThat(reused.json().get("code").asText()).isEqualTo("idempotency_key_reused");
    }

    @Test
    void adminStoreAndKeyResponsesMatchTheDocument() {
        String storeId = store("invoices:read")[0];
        String fixed = "sk_test_ContractFixedKey" + System.nanoTime();
        String keys = "/admin/v1/stores/" + storeId + "/api_keys";

        var issued = call(201, "POST", keys, ADMIN, "{\"mode\":\"test\",\"key\":\"" + fixed + "\"}");
        call(200, "POST", keys, ADMIN, "{\"mode\":\"test\",\"key\":\"" + fixed + "\"}");
        String otherStore = store("invoices:read")[0];
        call(409, "POST", "/admin/v1/stores/" + otherStore + "/api_keys", ADMIN,
                "{\"mode\":\"test\",\"key\":\"" + fixed + "\"}");
        call(400, "POST", keys, ADMIN, "{\"mode\":\"prod\"}");
        call(400, "POST", keys, ADMIN, "{\"scopes\":[\"everything\"]}");
        call(404, "POST", "/admin/v1/stores/st_DoesNotExist/api_keys", ADMIN, "{}");
        var revoked = call(200, "DELETE", keys + "/" + issued.json().get("id").asText(), ADMIN, null);
        var reRegistered = call(409, "POST", keys, ADMIN, "{\"mode\":\"test\",\"key\":\"" + fixed + "\"}");
        call(404, "DELETE", keys + "/key_DoesNotExist", ADMIN, null);
        call(401, "POST", "/admin/v1/stores", "wrong-token", "{}");
        call(201, "POST", "/admin/v1/stores", ADMIN, null);

        assertThat(issued.json().get("key").asText()).isEqualTo(fixed);
        assertThat(revoked.json().get("key").isNull()).isTrue();
        assertThat(revoked.json().get("revoked_at").isTextual()).isTrue();
        assertThat(reRegistered.json().get("code").asText()).isEqualTo("api_key_revoked");
    }
}
