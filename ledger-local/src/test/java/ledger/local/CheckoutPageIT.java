package ledger.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import ledger.events.WebhookTypes;
import ledger.local.crash.WebhookReceiver;
import ledger.testsupport.ApiClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The hosted invoice page (SPEC §8) as a buyer's browser sees it: headless Chromium on the whole stack, through
 * the gateway, following each invoice's {@code checkout_url}. One store with a test and a live key and a webhook
 * endpoint that checks every delivery's Standard Webhooks signature. The page must update in place: each test
 * that waits for a change first leaves {@code window.__marker} on the page and finds it again afterwards, which a
 * reload would have wiped. Screenshots of a part-paid test invoice at phone and desktop width are kept under
 * {@code target/checkout/}.
 */
@ExtendWith(SharedLedger.class)
@Order(SharedLedger.LAST)
class CheckoutPageIT {

    /** The page polls every second; the SPEC's ~2 s, with room for two busy CI cores. */
    private static final Duration ON_THE_PAGE = Duration.ofSeconds(10);
    private static final String RETURN_URL = "https://shop.example/orders/1001/thanks";

    @RegisterExtension
    static final HeadlessChromium browser = new HeadlessChromium();

    private static final HttpClient http = HttpClient.newHttpClient();
    private static String gateway;
    private static ApiClient api;
    private static String storeId;
    private static String testKey;
    private static String liveKey;
    private static WebhookReceiver webhooks;

    record Invoice(String id, String checkoutUrl) {
        String token() {
            return checkoutUrl.substring(checkoutUrl.lastIndexOf('/') + 1);
        }
    }

    @BeforeAll
    static void aStoreWithBothModesAndAWebhookEndpoint(LocalLedger ledger) throws IOException {
        gateway = ledger.gatewayUrl();
        api = new ApiClient(gateway);
        var store = api.post("/admin/v1/stores", ledger.adminToken(), "{\"name\":\"Harbour Books\"}");
        assertThat(store.status()).as(store.raw()).isEqualTo(201);
        storeId = store.json().get("id").asText();
        testKey = key(ledger, "test");
        liveKey = key(ledger, "live");
        webhooks = new WebhookReceiver(0, 12);
        var endpoint = api.post("/v1/webhook_endpoints", testKey,
                "{\"url\":\"" + webhooks.url() + "\",\"enabled_events\":[\"*\"]}");
        assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(201);
        webhooks.secret(endpoint.json().get("secret").asText());
    }

    private static String key(LocalLedger ledger, String mode) {
        var key = api.post("/admin/v1/stores/" + storeId + "/api_keys", ledger.adminToken(), "{\"mode\":\"" + mode
                + "\",\"scopes\":[\"invoices:read\",\"invoices:write\",\"payments:write\",\"webhooks:write\"]}");
        assertThat(key.status()).as(key.raw()).isEqualTo(201);
        return key.json().get("key").asText();
    }

    @AfterAll
    static void stopTheReceiver() {
        if (webhooks != null) {
            webhooks.close();
        }
    }

    @Test
    void aTestInvoiceIsPaidFromItsPageInTwoPartsWithoutAReload() {
        var invoice = create(testKey, "{\"amount\":\"25.00\",\"currency\":\"USD\",\"description\":\"Two paperbacks\","
                + "\"due_date\":\"2031-01-31\",\"return_url\":\"" + RETURN_URL + "\","
                + "\"metadata\":{\"note\":\"for-the-merchant-only\"}}");
        browser.resize(HeadlessChromium.PHONE);
        WebDriver page = open(invoice);

        assertThat(text("store-name")).isEqualTo("Harbour Books");
        assertThat(text("description")).isEqualTo("Two paperbacks");
        assertThat(text("currency")).contains("USD");
        assertShowsMoney("amount", "25.00");
        assertShowsMoney("amount-paid", "0.00");
        assertShowsMoney("amount-due", "25.00");
        assertThat(status()).isEqualTo("open");
        assertThat(text("due-date")).contains("2031");
        assertThat(text("expires-at")).isNotBlank();
        assertThat(shown("test-banner")).as("TEST banner").isTrue();
        assertThat(shown("payment-instructions")).as("live payment instructions on a test invoice").isFalse();
        assertThat(shown("return-link")).as("return link before payment").isFalse();
        assertThat(shown("receipt-pdf")).as("receipt before any payment").isFalse();
        assertThat(page.getPageSource()).doesNotContain(invoice.id(), storeId, "for-the-merchant-only", testKey);
        // A phone lays a page without <meta name="viewport"> out 980 px wide, and scrolls sideways what is wider.
        assertThat(js("return window.innerWidth")).as("layout width on a phone").isEqualTo(375L);
        assertThat(js("return document.documentElement.scrollWidth")).as("width of the page on a phone").isEqualTo(375L);

        js("window.__marker = 1");
        simulateOnThePage("ten");
        await().atMost(ON_THE_PAGE).ignoreExceptions().untilAsserted(() ->
                assertThat(text("simulate-error")).as("the refusal, on the page").isNotBlank());
        assertShowsMoney("amount-paid", "0.00");

        simulateOnThePage("10.00");
        await().atMost(ON_THE_PAGE).ignoreExceptions().untilAsserted(() -> {
            assertThat(status()).isEqualTo("partially paid");
            assertShowsMoney("amount-paid", "10.00");
            assertShowsMoney("amount-due", "15.00");
            assertThat(page.findElement(By.id("simulate-amount")).getAttribute("placeholder"))
                    .as("what an empty amount pays").isEqualTo("15.00");
        });
        assertThat(shown("simulate-error")).as("the earlier refusal, after a payment went through").isFalse();
        assertThat(shown("simulate-form")).as("the form stays while money is due").isTrue();
        assertThat(shown("receipt-pdf")).as("receipt once money was received").isTrue();
        browser.screenshot("checkout-phone.png");
        browser.resize(HeadlessChromium.DESKTOP);
        browser.screenshot("checkout-desktop.png");
        browser.resize(HeadlessChromium.PHONE);

        simulateOnThePage(""); // empty: the amount due
        await().atMost(ON_THE_PAGE).ignoreExceptions().untilAsserted(() -> {
            assertThat(status()).isEqualTo("paid");
            assertShowsMoney("amount-paid", "25.00");
            assertShowsMoney("amount-due", "0.00");
            assertThat(shown("simulate-form")).as("simulate form once paid").isFalse();
            assertThat(shown("final-state")).isTrue();
            assertThat(shown("return-link")).isTrue();
        });
        assertThat(page.findElement(By.id("return-link")).getAttribute("href")).isEqualTo(RETURN_URL);
        assertThat(js("return window.__marker")).as("the page was reloaded").isEqualTo(1L);
        assertPdf(page.findElement(By.id("receipt-pdf")).getAttribute("href"));

        // The simulated payments are real ones, made through the command path with the page's nonces.
        var view = api.get("/v1/invoices/" + invoice.id(), testKey).json();
        assertThat(view.get("status").asText()).isEqualTo("paid");
        assertThat(view.get("payments")).hasSize(2)
                .allSatisfy(payment -> assertThat(payment.get("reference").asText()).startsWith("sim_"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(webhooks.eventTypesOf(invoice.id()))
                .containsExactlyInAnyOrder(WebhookTypes.INVOICE_CREATED, WebhookTypes.INVOICE_PARTIALLY_PAID,
                        WebhookTypes.INVOICE_PAID));
        assertThat(webhooks.badSignatures.get()).as("webhooks with a bad signature").isZero();
    }

    /** Corrections made through the API while the buyer has the page open appear on it without a reload. */
    @Test
    void creditNotesAndRefundsShowOnTheOpenPage() {
        var invoice = create(testKey, "{\"amount\":\"40.00\",\"currency\":\"USD\"}");
        WebDriver page = open(invoice);
        assertShowsMoney("amount-credited", "0.00");
        assertShowsMoney("amount-refunded", "0.00");
        js("window.__marker = 2");
        String path = "/v1/invoices/" + invoice.id();

        assertThat(api.post(path + "/credit_notes", testKey, "{\"amount\":\"10.00\",\"reason\":\"order_change\"}")
                .status()).isEqualTo(201);
        assertThat(api.post(path + "/payments", testKey,
                "{\"amount\":\"20.00\",\"currency\":\"USD\",\"reference\":\"bank-1\"}").status()).isEqualTo(201);
        assertThat(api.post(path + "/refunds", testKey, "{\"amount\":\"5.00\",\"reference\":\"rf-1\"}").status())
                .isEqualTo(201);

        await().atMost(ON_THE_PAGE).ignoreExceptions().untilAsserted(() -> {
            assertShowsMoney("amount-credited", "10.00");
            assertShowsMoney("amount-paid", "20.00");
            assertShowsMoney("amount-refunded", "5.00");
            assertShowsMoney("amount-due", "10.00");
            assertThat(status()).isEqualTo("partially paid");
        });
        assertThat(js("return window.__marker")).as("the page was reloaded").isEqualTo(2L);
        assertThat(page.findElement(By.id("simulate-amount")).getAttribute("placeholder")).isEqualTo("10.00");
    }

    @Test
    void aLiveInvoiceShowsPaymentInstructionsAndRefusesSimulation() {
        var invoice = create(liveKey, "{\"amount\":\"500\",\"currency\":\"JPY\",\"external_order_id\":\"order-7731\"}");
        WebDriver page = open(invoice);

        assertThat(text("store-name")).isEqualTo("Harbour Books");
        assertThat(text("currency")).contains("JPY");
        assertShowsMoney("amount-due", "500"); // at JPY's scale: no decimals
        assertThat(page.findElements(By.id("simulate-form"))).as("simulate form on a live invoice").isEmpty();
        assertThat(page.findElements(By.id("test-banner"))).as("TEST banner on a live invoice").isEmpty();
        assertThat(shown("payment-instructions")).isTrue();
        assertThat(text("payment-reference")).isEqualTo("order-7731");

        var refused = simulate(invoice, "500");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("simulation_unavailable_in_live_mode");
        var view = api.get("/v1/invoices/" + invoice.id(), liveKey).json();
        assertThat(view.get("amount_paid").asText()).isEqualTo("0");
        assertThat(view.get("payments")).isEmpty();
    }

    @Test
    void cancelledAndExpiredInvoicesTurnToTheirFinalStateOnTheOpenPage() {
        var cancelled = create(testKey, "{\"amount\":\"12.00\",\"currency\":\"USD\"}");
        open(cancelled);
        js("window.__marker = 1");
        var cancel = api.post("/v1/invoices/" + cancelled.id() + "/cancel", testKey, "{\"reason\":\"out of stock\"}");
        assertThat(cancel.status()).as(cancel.raw()).isEqualTo(200);
        assertTurnsFinal("cancelled", ON_THE_PAGE);
        assertThat(simulate(cancelled, "12.00").statusCode()).as("simulating on a cancelled invoice").isEqualTo(409);

        var expiring = create(testKey, "{\"amount\":\"12.00\",\"currency\":\"USD\",\"expires_in\":5}");
        open(expiring);
        assertThat(text("countdown")).isNotBlank();
        js("window.__marker = 1");
        // The expiry itself comes within seconds of the deadline; the page follows as for any change.
        assertTurnsFinal("expired", Duration.ofSeconds(60));
    }

    private static void assertTurnsFinal(String status, Duration within) {
        await().atMost(within).ignoreExceptions().untilAsserted(() -> {
            assertThat(status()).isEqualTo(status);
            assertThat(shown("final-state")).isTrue();
            assertThat(shown("simulate-form")).as("simulate form on a final invoice").isFalse();
        });
        assertThat(js("return window.__marker")).as("the page was reloaded").isEqualTo(1L);
    }

    @Test
    void aTokenOpensItsPageAndNothingElse() {
        var invoice = create(testKey, "{\"amount\":\"5.00\",\"currency\":\"USD\"}");
        String token = invoice.token();
        String tampered = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");
        for (String path : new String[] {"/checkout/" + tampered, "/checkout/" + invoice.id(),
                "/checkout/" + tampered + "/status", "/checkout/" + tampered + "/invoice.pdf"}) {
            assertThat(get(gateway + path).statusCode()).as(path).isEqualTo(404);
        }
        WebDriver page = browser.driver();
        page.get(gateway + "/checkout/" + tampered);
        assertThat(page.findElements(By.id("store-name"))).as("an invoice behind a tampered token").isEmpty();
        assertThat(simulate(new Invoice(invoice.id(), gateway + "/checkout/" + tampered), "5.00").statusCode())
                .isEqualTo(404);

        for (String path : new String[] {"/v1/invoices", "/v1/invoices/" + invoice.id()}) {
            var bearer = api.get(path, token);
            assertThat(bearer.status()).as("the token as an API key on %s: %s", path, bearer.raw()).isEqualTo(401);
        }

        // A form posted from another site: the simulation would go through on the buyer's browser otherwise.
        var crossSite = simulate(invoice, "5.00", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site");
        assertThat(crossSite.statusCode()).as(crossSite.body()).isEqualTo(403);
        assertThat(crossSite.body()).contains("cross_site_request");
        assertThat(api.get("/v1/invoices/" + invoice.id(), testKey).json().get("amount_paid").asText()).isEqualTo("0.00");
    }

    @Test
    void thePageIsPrivateAndItsInvoiceDownloadsAsPdf() {
        var invoice = create(testKey, "{\"amount\":\"7.50\",\"currency\":\"USD\",\"description\":\"A map\"}");
        var response = get(invoice.checkoutUrl());
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(response.headers().firstValue("Cache-Control")).hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(response.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(v -> assertThat(v).contains("default-src 'none'"));

        WebDriver page = open(invoice);
        assertPdf(page.findElement(By.id("invoice-pdf")).getAttribute("href"));
        assertThat(get(invoice.checkoutUrl() + "/receipt.pdf").statusCode()).as("a receipt before any payment")
                .isEqualTo(404);
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static Invoice create(String key, String body) {
        var created = api.post("/v1/invoices", key, body);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        var invoice = new Invoice(created.json().get("id").asText(), created.json().get("checkout_url").asText());
        assertThat(invoice.checkoutUrl()).matches(Pattern.quote(gateway) + "/checkout/ck_[A-Za-z0-9_-]{43}");
        return invoice;
    }

    /** The invoice's page, once query-service has it (its projection follows the create within about a second). */
    private static WebDriver open(Invoice invoice) {
        await().atMost(Duration.ofSeconds(30)).until(() -> get(invoice.checkoutUrl()).statusCode() == 200);
        WebDriver page = browser.driver();
        page.get(invoice.checkoutUrl());
        return page;
    }

    private static void simulateOnThePage(String amount) {
        WebElement input = browser.driver().findElement(By.id("simulate-amount"));
        input.clear();
        input.sendKeys(amount);
        browser.driver().findElement(By.id("simulate-submit")).click();
    }

    private static String text(String id) {
        return browser.driver().findElement(By.id(id)).getText().strip();
    }

    /** The status as shown, in the API's words: "Partially paid" reads as {@code partially paid}. */
    private static String status() {
        return text("status").toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static boolean shown(String id) {
        return browser.driver().findElements(By.id(id)).stream().anyMatch(WebElement::isDisplayed);
    }

    /** {@code amount} as a figure of its own in the element: "USD 15.00" shows 15.00, "115.00" or "15.000" do not. */
    private static void assertShowsMoney(String id, String amount) {
        assertThat(text(id)).as("#" + id).containsPattern("(?<![0-9.,])" + Pattern.quote(amount) + "(?![0-9]|[.,][0-9])");
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser.driver()).executeScript(script);
    }

    private static void assertPdf(String url) {
        var pdf = send(HttpRequest.newBuilder(URI.create(url)).GET(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(pdf.statusCode()).as(url).isEqualTo(200);
        assertThat(pdf.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/pdf"));
        assertThat(new String(pdf.body(), 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
    }

    /** The simulate form posted as a script would, without the page; {@code headers} are name/value pairs. */
    private static HttpResponse<String> simulate(Invoice invoice, String amount, String... headers) {
        var request = HttpRequest.newBuilder(URI.create(invoice.checkoutUrl() + "/payments"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("amount=" + amount + "&reference=sim_scriptedform0000000001"));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), HttpResponse.BodyHandlers.ofString());
    }

    private static <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
