package ledger.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import ledger.events.CheckoutToken;
import ledger.events.InvoiceStatus;
import ledger.events.PaymentReceived;
import ledger.testsupport.ApiClient;
import ledger.testsupport.LedgerInfrastructure;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;

/**
 * The hosted page's simulate-payment form (SPEC §8) on real PostgreSQL and Kafka: the checkout token made
 * at create, the payment it records through the command path, and what it refuses — live invoices, other
 * sites, unknown tokens — without an API key anywhere.
 */
@AutoConfigureObservability // same context as CommandServiceIT
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ledger.admin-token=test-admin-token")
@ContextConfiguration(initializers = LedgerInfrastructure.Initializer.class)
class CheckoutPaymentIT {

    static final String ADMIN = "test-admin-token";
    static final String JSON = "application/json";
    static final String BROWSER_FORM_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    static final SecureRandom RANDOM = new SecureRandom();

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    EventStore eventStore;

    final HttpClient http = HttpClient.newHttpClient(); // follows no redirects: the 303 is what is tested
    String storeId;
    String testKey;

    @BeforeEach
    void store() {
        String[] store = api().storeWithKey(ADMIN, "invoices:write");
        storeId = store[0];
        testKey = store[1];
    }

    ApiClient api() {
        return new ApiClient("http://localhost:" + port);
    }

    String origin() {
        return "http://localhost:" + port;
    }

    static String nonce() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "sim_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Creates an invoice and returns its checkout token. */
    String invoice(String key, String json) {
        var created = api().post("/v1/invoices", key, json);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        return CheckoutToken.ofCheckoutUrl(created.json().get("checkout_url").asText()).orElseThrow().value();
    }

    String invoiceId(String token) {
        return jdbc.queryForObject("SELECT invoice_id FROM command.checkout_token WHERE token = ?", String.class, token);
    }

    /** A form post as the page's script sends it (same origin, JSON answer); {@code headers} are added. */
    HttpResponse<String> simulate(String token, String form, String... headers) {
        return post("/checkout/" + token + "/payments", form, concat(new String[] {"Accept", JSON, "Origin", origin(),
                "Sec-Fetch-Site", "same-origin"}, headers));
    }

    HttpResponse<String> post(String path, String form, String... headers) {
        var request = HttpRequest.newBuilder(URI.create(origin() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String[] concat(String[] a, String[] b) {
        var all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    static ApiClient.Response parsed(HttpResponse<String> response) {
        return new ApiClient.Response(response.statusCode(), response.headers(), response.body());
    }

    List<PaymentReceived> payments(String invoiceId) {
        return eventStore.readEvents(invoiceId).asStream().map(m -> m.getPayload())
                .filter(PaymentReceived.class::isInstance).map(PaymentReceived.class::cast).toList();
    }

    @Test
    void theCheckoutUrlEndsInATokenRecordedForTheInvoiceItsStoreAndMode() {
        var created = api().post("/v1/invoices", testKey, "{\"amount\":\"10.00\"}").json();
        String url = created.get("checkout_url").asText();

        assertThat(url).matches("http://localhost:8080/checkout/ck_[A-Za-z0-9_-]{43}").doesNotContain("inv_");
        var row = jdbc.queryForMap("SELECT invoice_id, store_id, livemode FROM command.checkout_token WHERE token = ?",
                CheckoutToken.ofCheckoutUrl(url).orElseThrow().value());
        assertThat(row).containsEntry("invoice_id", created.get("id").asText()).containsEntry("store_id", storeId)
                .containsEntry("livemode", false);
    }

    @Test
    void anIdempotentReplayOfTheCreateAnswersTheSameCheckoutUrl() {
        var first = api().post("/v1/invoices", testKey, "{\"amount\":\"10.00\"}", "Idempotency-Key", "checkout-1");
        var replay = api().post("/v1/invoices", testKey, "{\"amount\":\"10.00\"}", "Idempotency-Key", "checkout-1");

        assertThat(replay.header("Idempotent-Replayed")).contains("true");
        assertThat(replay.json().get("checkout_url")).isEqualTo(first.json().get("checkout_url"));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM command.checkout_token WHERE invoice_id = ?",
                Integer.class, first.json().get("id").asText())).isEqualTo(1);
    }

    @Test
    void aPartialThenTheRestRecordsTwoRealPaymentsWithoutAnApiKey() {
        String token = invoice(testKey, "{\"amount\":\"100.00\"}");

        var partial = simulate(token, "amount=40.00&reference=" + nonce());
        var rest = simulate(token, "amount=&reference=" + nonce());

        assertThat(partial.statusCode()).as(partial.body()).isEqualTo(200);
        assertThat(parsed(partial).json().get("status").asText()).isEqualTo("partially_paid");
        assertThat(parsed(partial).json().get("amount_due").asText()).isEqualTo("60.00");
        assertThat(rest.statusCode()).as(rest.body()).isEqualTo(200);
        assertThat(parsed(rest).json().get("status").asText()).isEqualTo("paid");
        assertThat(parsed(rest).json().get("amount_due").asText()).isEqualTo("0.00");
        assertThat(rest.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(rest.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        var payments = payments(invoiceId(token));
        assertThat(payments).extracting(p -> p.amount().toPlainString()).containsExactly("40.00", "60.00");
        assertThat(payments).extracting(PaymentReceived::status)
                .containsExactly(InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID);
        assertThat(payments.get(0).reference()).startsWith("sim_");
    }

    @Test
    void theSameFormSubmittedTwiceIsOnePayment() {
        String token = invoice(testKey, "{\"amount\":\"100.00\"}");
        String form = "amount=25.00&reference=" + nonce();

        var first = simulate(token, form);
        // An Idempotency-Key some client adds changes nothing: the reference is what makes a repeat a no-op.
        var again = simulate(token, form, "Idempotency-Key", "form-1");
        var otherAmount = simulate(token, form.replace("25.00", "26.00"));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(parsed(again).json().get("amount_due").asText()).isEqualTo("75.00");
        assertThat(otherAmount.statusCode()).isEqualTo(409);
        assertThat(parsed(otherAmount).json().get("code").asText()).isEqualTo("payment_reference_conflict");
        assertThat(payments(invoiceId(token))).hasSize(1);
    }

    @Test
    void aLiveInvoiceCannotSimulateAPayment() {
        var key = api().post("/admin/v1/stores/" + storeId + "/api_keys", ADMIN,
                "{\"mode\":\"live\",\"scopes\":[\"invoices:write\"]}").json().get("key").asText();
        String token = invoice(key, "{\"amount\":\"100.00\"}");

        var refused = parsed(simulate(token, "amount=100.00&reference=" + nonce()));

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("code").asText()).isEqualTo("simulation_unavailable_in_live_mode");
        assertThat(refused.json().get("request_id").asText()).startsWith("req_");
        assertThat(payments(invoiceId(token))).isEmpty();
    }

    @Test
    void unknownTamperedAndBareInvoiceIdsOpenNothing() {
        String token = invoice(testKey, "{\"amount\":\"100.00\"}");
        String invoiceId = invoiceId(token);
        char last = token.charAt(token.length() - 1);
        String tampered = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');

        for (String path : List.of(tampered, CheckoutToken.generate().value(), invoiceId, "ck_short", token + "x")) {
            var answer = parsed(simulate(path, "amount=1.00&reference=" + nonce()));
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.json().get("code").asText()).isEqualTo("resource_missing");
        }
        assertThat(payments(invoiceId)).isEmpty();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({"Origin, https://evil.example", "Origin, null", "Origin, http://localhost:1",
            "Sec-Fetch-Site, cross-site", "Sec-Fetch-Site, same-site", "Sec-Fetch-Site, none"})
    void anotherSitesPostIsRefused(String header, String value) {
        String token = invoice(testKey, "{\"amount\":\"100.00\"}");

        var refused = parsed(simulate(token, "amount=1.00&reference=" + nonce(), header, value));
        var formPost = post("/checkout/" + token + "/payments", "amount=1.00&reference=" + nonce(), "Accept",
                BROWSER_FORM_ACCEPT, header, value);

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("code").asText()).isEqualTo("cross_site_request");
        assertThat(formPost.statusCode()).isEqualTo(403);
        assertThat(payments(invoiceId(token))).isEmpty();
    }

    @Test
    void theOriginAsAProxyInFrontForwardedItIsTheSameSite() {
        String token = invoice(testKey, "{\"amount\":\"100.00\"}");

        var answer = simulate(token, "amount=1.00&reference=" + nonce(), "Origin", "https://pay.example.com",
                "X-Forwarded-Proto", "https", "X-Forwarded-Host", "pay.example.com");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    @Test
    void aFormPostWithoutJavaScriptIsRedirectedBackToThePage() {
        String token = invoice(testKey, "{\"amount\":\"10.00\"}");
        String path = "/checkout/" + token + "/payments";

        var paid = post(path, "amount=&reference=" + nonce(), "Accept", BROWSER_FORM_ACCEPT, "Origin", origin());
        var afterPaid = post(path, "amount=1.00&reference=" + nonce(), "Accept", BROWSER_FORM_ACCEPT);
        var badAmount = post(path, "amount=1.001&reference=" + nonce());

        assertThat(paid.statusCode()).isEqualTo(303);
        assertThat(paid.headers().firstValue("Location")).hasValue("/checkout/" + token);
        assertThat(paid.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(afterPaid.statusCode()).isEqualTo(303);
        assertThat(afterPaid.headers().firstValue("Location")).hasValue("/checkout/" + token + "?error=invoice_not_payable");
        assertThat(badAmount.statusCode()).isEqualTo(303);
        assertThat(badAmount.headers().firstValue("Location")).hasValue("/checkout/" + token + "?error=parameter_invalid");
        assertThat(payments(invoiceId(token))).extracting(p -> p.amount().toPlainString()).containsExactly("10.00");
    }

    @Test
    void aBadFormIsA400InTheErrorShape() {
        String token = invoice(testKey, "{\"amount\":\"10.00\"}");

        var noReference = parsed(simulate(token, "amount=1.00"));
        var foreignReference = parsed(simulate(token, "amount=1.00&reference=merchant-payment-1"));
        var badAmount = parsed(simulate(token, "amount=1e3&reference=" + nonce()));

        assertThat(noReference.status()).isEqualTo(400);
        assertThat(noReference.json().get("code").asText()).isEqualTo("parameter_missing");
        assertThat(noReference.json().get("param").asText()).isEqualTo("reference");
        assertThat(foreignReference.status()).isEqualTo(400);
        assertThat(foreignReference.json().get("param").asText()).isEqualTo("reference");
        assertThat(badAmount.status()).isEqualTo(400);
        assertThat(badAmount.json().get("code").asText()).isEqualTo("parameter_invalid");
        assertThat(payments(invoiceId(token))).isEmpty();
    }

    @Test
    void aCheckoutTokenIsNoApiKey() {
        String token = invoice(testKey, "{\"amount\":\"10.00\"}");
        String invoiceId = invoiceId(token);

        var create = api().post("/v1/invoices", token, "{\"amount\":\"1.00\"}");
        var pay = api().post("/v1/invoices/" + invoiceId + "/payments", token,
                "{\"amount\":\"1.00\",\"currency\":\"USD\",\"reference\":\"r1\"}");

        assertThat(create.status()).isEqualTo(401);
        assertThat(create.json().get("code").asText()).isEqualTo("unauthenticated");
        assertThat(pay.status()).isEqualTo(401);
        assertThat(pay.raw()).doesNotContain(token);
        assertThat(payments(invoiceId)).isEmpty();
    }
}
