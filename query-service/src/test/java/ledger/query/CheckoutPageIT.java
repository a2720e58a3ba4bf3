package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.lowagie.text.pdf.PdfReader;
import com.lowagie.text.pdf.parser.PdfTextExtractor;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Currency;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ledger.events.CheckoutToken;
import ledger.events.LedgerJson;
import ledger.events.LineItem;
import ledger.events.Money;
import ledger.events.StoreId;
import ledger.support.auth.AccessRecord;
import ledger.support.auth.Scopes;
import ledger.testsupport.ApiClient;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The buyer's hosted invoice page (SPEC §8) behind the token of a checkout URL: what it shows in each mode and
 * state, what it never shows, its status JSON and PDFs, its headers, and that a token opens nothing else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckoutPageIT extends QueryIntegrationTest {

    static final String CALLBACK = "https://merchant.example.com/callback-secret-path";
    static final List<String> HEADERS = List.of("Cache-Control", "no-store", "Referrer-Policy", "no-referrer",
            "X-Robots-Tag", "noindex", "X-Content-Type-Options", "nosniff", "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                    + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");

    static final Currency USD = Currency.getInstance("USD");

    final StoreId store = StoreId.generate();
    final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    final HttpClient http = HttpClient.newHttpClient();
    final Invoice unpaid = new Invoice(InvoiceHistory.of(store, "100.00", "USD"));
    final Invoice partly = new Invoice(InvoiceHistory.of(store, "80.00", "USD"));
    final Invoice live = new Invoice(InvoiceHistory.live(store, "2500", "JPY"));
    final Invoice paid = new Invoice(InvoiceHistory.of(store, "30.00", "USD"));
    final Invoice cancelled = new Invoice(InvoiceHistory.of(store, "30.00", "USD"));
    final Invoice expired = new Invoice(InvoiceHistory.of(store, "30.00", "USD"));
    final Invoice itemised = new Invoice(InvoiceHistory.ofLines(store,
            LineItem.compute("Sourdough loaf", new BigDecimal("2"), Money.parse("4.50", USD), null, new BigDecimal("7")),
            LineItem.compute("Croissant", new BigDecimal("3"), Money.parse("1.99", USD), new BigDecimal("10"), null)));
    /** Created before tokens existed: its checkout_url ends in the invoice id. */
    final InvoiceHistory old = InvoiceHistory.of(store, "10.00", "USD");

    record Invoice(InvoiceHistory history, CheckoutToken token) {
        Invoice(InvoiceHistory history) {
            this(history, CheckoutToken.generate());
            history.withCheckoutToken(token).withCallbackUrl(CALLBACK);
        }

        String page() {
            return "/checkout/" + token.value();
        }
    }

    @BeforeAll
    void invoices() throws Exception {
        var record = new AccessRecord.Store(store, "Corner Bakery", "whsec_notshown", Instant.now());
        producer.send(new ProducerRecord<>("ledger.access", record.recordKey(),
                LedgerJson.mapper().writerFor(AccessRecord.class).writeValueAsString(record))).get(10, TimeUnit.SECONDS);
        Instant expires = now.plus(1, ChronoUnit.DAYS);
        LocalDate due = LocalDate.parse("2030-01-31");
        publish(unpaid.history().create(now, due, expires, null, "Two concert tickets"));
        publish(partly.history().create(now, null, expires, "order-4711", "Catering"));
        publish(partly.history().pay("30.00", now.plusSeconds(1)));
        publish(live.history().create(now, null, expires, "order-live-1", "Annual plan"));
        publish(paid.history().create(now, null, expires, null, "Bread"));
        publish(paid.history().pay("30.00", now.plusSeconds(2)));
        publish(cancelled.history().create(now, null, expires, null, "Cake"));
        publish(cancelled.history().cancel(now.plusSeconds(3)));
        publish(expired.history().create(now, null, now.plusSeconds(5), null, "Pie"));
        publish(expired.history().expire(now.plusSeconds(5)));
        publish(itemised.history().create(now, null, expires, null, "Breakfast order"));
        publish(old.create(now, null, expires, null, "From before tokens"));
        awaitProjected();
    }

    ApiClient.Response get(String path) {
        return api().get(path, null);
    }

    HttpResponse<byte[]> bytes(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The opening tag of the element with this id, or null when the page has none. */
    static String tag(String html, String id) {
        Matcher m = Pattern.compile("<[a-z0-9]+[^>]*\\sid=\"" + Pattern.quote(id) + "\"[^>]*>").matcher(html);
        return m.find() ? m.group() : null;
    }

    /** The text right inside the element with this id, up to its first child or its end, trimmed. */
    static String text(String html, String id) {
        String tag = tag(html, id);
        assertThat(tag).as("element #" + id).isNotNull();
        int start = html.indexOf(tag) + tag.length();
        return html.substring(start, html.indexOf('<', start)).trim();
    }

    static boolean shown(String html, String id) {
        String tag = tag(html, id);
        return tag != null && !tag.matches("(?s).*\\shidden(=\"[^\"]*\")?[\\s>].*");
    }

    String page(Invoice invoice) {
        var response = get(invoice.page());
        assertThat(response.status()).as(response.raw()).isEqualTo(200);
        assertThat(response.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        return response.raw();
    }

    @Test
    void aTestInvoiceShowsItsFiguresTheBannerAndTheSimulateForm() {
        String html = page(unpaid);
        assertThat(text(html, "store-name")).isEqualTo("Corner Bakery");
        assertThat(text(html, "description")).isEqualTo("Two concert tickets");
        assertThat(text(html, "amount")).isEqualTo("100.00");
        assertThat(text(html, "amount-paid")).isEqualTo("0.00");
        assertThat(text(html, "amount-due")).isEqualTo("100.00");
        assertThat(text(html, "currency")).isEqualTo("USD");
        assertThat(text(html, "status")).isEqualTo("open");
        assertThat(text(html, "due-date")).isEqualTo("2030-01-31");
        assertThat(tag(html, "expires-at")).contains("datetime=\"" + now.plus(1, ChronoUnit.DAYS) + "\"");
        // Its arithmetic is BuyerViewTest's; here only that it counts towards this invoice's expiry, a day away.
        assertThat(text(html, "countdown")).matches("1 d 00:00:00|2[0-3]:\\d\\d:\\d\\d");
        assertThat(tag(html, "countdown")).contains("data-expires-at=\"" + now.plus(1, ChronoUnit.DAYS) + "\"");
        assertThat(shown(html, "test-banner")).isTrue();
        assertThat(tag(html, "simulate-form")).contains("action=\"" + unpaid.page() + "/payments\"",
                "method=\"post\"");
        assertThat(html).containsPattern("<input type=\"hidden\" name=\"reference\" value=\"sim_[A-Za-z0-9_-]{22}\">");
        assertThat(tag(html, "simulate-amount")).contains("name=\"amount\"");
        assertThat(tag(html, "simulate-submit")).isNotNull();
        assertThat(tag(html, "payment-instructions")).isNull();
        assertThat(shown(html, "final-state")).isFalse();
        assertThat(shown(html, "return-link")).isFalse();
        assertThat(shown(html, "simulate-error")).isFalse();
        assertThat(tag(html, "invoice-pdf")).contains("href=\"" + unpaid.page() + "/invoice.pdf\"");
        assertThat(shown(html, "receipt-pdf")).isFalse();
        assertThat(html).contains("/checkout/assets/checkout.js", "/checkout/assets/checkout.css",
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        // Never the merchant's side of the invoice.
        assertThat(html).doesNotContain(unpaid.history().id().value(), store.value(), "channel", "api_key", CALLBACK,
                "buyer@example.com", "merchant.example.com", "whsec_");
        // No inline script or style: the CSP allows only the page's own files.
        assertThat(html).doesNotContain("<script>", "style=", "<style");
    }

    /** 2 × 4.50 = 9.00 + 7 % tax = 9.63; 3 × 1.99 = 5.97 − 10 % = 5.373 → 5.37, a 0.60 discount; 15.00 in all. */
    @Test
    void anInvoiceOfLinesListsEachLineAboveItsFiguresOnThePageAndInThePdf() throws Exception {
        String html = page(itemised);
        assertThat(shown(html, "line-items")).isTrue();
        var rows = Pattern.compile("<tr class=\"line\">(.*?)</tr>", Pattern.DOTALL).matcher(html).results()
                .map(r -> r.group(1).replaceAll("\\s*<td>([^<]*)</td>\\s*", "$1|")).toList();
        assertThat(rows).containsExactly("Sourdough loaf|2|4.50|0.00|0.63|9.63|", "Croissant|3|1.99|0.60|0.00|5.37|");
        assertThat(text(html, "amount")).isEqualTo("15.00");
        assertThat(tag(page(unpaid), "line-items")).as("an invoice of an amount only has no table").isNull();

        String pdf = pdfText(bytes(itemised.page() + "/invoice.pdf").body());
        assertThat(pdf).contains("Sourdough loaf", "Croissant", "9.63", "5.37", "15.00 USD");
    }

    @Test
    void aLiveInvoiceShowsPaymentInstructionsAndNoForm() {
        String html = page(live);
        assertThat(shown(html, "payment-instructions")).isTrue();
        assertThat(text(html, "payment-reference")).isEqualTo("order-live-1");
        assertThat(text(html, "amount-due")).isEqualTo("2500");
        assertThat(text(html, "currency")).isEqualTo("JPY");
        assertThat(tag(html, "simulate-form")).isNull();
        assertThat(tag(html, "test-banner")).isNull();
        assertThat(html).doesNotContain("/payments");
    }

    @Test
    void finalInvoicesShowTheirFinalStateInsteadOfAForm() {
        for (var invoice : List.of(paid, cancelled, expired)) {
            String html = page(invoice);
            String status = invoice == paid ? "paid" : invoice == cancelled ? "cancelled" : "expired";
            assertThat(text(html, "status")).isEqualTo(status);
            assertThat(shown(html, "final-state")).as(status).isTrue();
            assertThat(html).containsPattern("<p data-final=\"" + status + "\">");
            assertThat(tag(html, "simulate-form")).isNull();
            assertThat(tag(html, "payment-instructions")).isNull();
            assertThat(shown(html, "return-link")).isEqualTo(invoice == paid);
            assertThat(shown(html, "receipt-pdf")).isEqualTo(invoice == paid);
            assertThat(text(html, "countdown")).isEqualTo(invoice == expired ? "expired" : "—");
        }
        assertThat(tag(page(paid), "return-link")).contains("href=\"https://merchant.example.com/thanks\"",
                "rel=\"noreferrer noopener\"");
    }

    @Test
    void anErrorCodeInTheQueryBecomesAReadableMessage() {
        String html = get(unpaid.page() + "?error=invoice_not_payable").raw();
        assertThat(shown(html, "simulate-error")).isTrue();
        assertThat(text(html, "simulate-error")).isEqualTo("This invoice can no longer be paid.");
        String hostile = get(unpaid.page() + "?error=%3Cscript%3Ealert(1)%3C/script%3E").raw();
        assertThat(text(hostile, "simulate-error")).isEqualTo("The payment could not be recorded. Please try again.");
        assertThat(hostile).doesNotContain("alert(1)");
    }

    @Test
    void theStatusJsonHoldsTheBuyerFacingFields() {
        var open = get(unpaid.page() + "/status");
        assertThat(open.status()).as(open.raw()).isEqualTo(200);
        var json = open.json();
        assertThat(json.get("store_name").asText()).isEqualTo("Corner Bakery");
        assertThat(json.get("description").asText()).isEqualTo("Two concert tickets");
        assertThat(json.get("currency").asText()).isEqualTo("USD");
        assertThat(json.get("amount").asText()).isEqualTo("100.00");
        assertThat(json.get("amount_paid").asText()).isEqualTo("0.00");
        assertThat(json.get("amount_due").asText()).isEqualTo("100.00");
        assertThat(json.get("status").asText()).isEqualTo("open");
        assertThat(json.get("due_date").asText()).isEqualTo("2030-01-31");
        assertThat(Instant.parse(json.get("expires_at").asText())).isEqualTo(now.plus(1, ChronoUnit.DAYS));
        assertThat(json.get("livemode").asBoolean()).isFalse();
        assertThat(json.get("return_url").isNull()).isTrue();
        assertThat(json.get("reference").asText()).isEqualTo(unpaid.token().value().substring(3, 15));
        assertThat(json.get("has_receipt").asBoolean()).isFalse();
        assertThat(open.raw()).doesNotContain(unpaid.history().id().value(), store.value(), CALLBACK, "channel");

        var done = get(paid.page() + "/status").json();
        assertThat(done.get("status").asText()).isEqualTo("paid");
        assertThat(done.get("amount_due").asText()).isEqualTo("0.00");
        assertThat(done.get("return_url").asText()).isEqualTo("https://merchant.example.com/thanks");
        assertThat(done.get("has_receipt").asBoolean()).isTrue();

        var missing = get("/checkout/" + CheckoutToken.generate().value() + "/status");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("code").asText()).isEqualTo("resource_missing");
    }

    @Test
    void theReceiptExistsOnlyOnceMoneyWasReceived() throws Exception {
        var none = bytes(unpaid.page() + "/receipt.pdf");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(new String(none.body())).contains("Invoice not found");

        var receipt = bytes(partly.page() + "/receipt.pdf");
        assertThat(receipt.statusCode()).isEqualTo(200);
        assertThat(receipt.headers().firstValue("Content-Type")).contains("application/pdf");
        assertThat(receipt.headers().firstValue("Content-Disposition"))
                .contains("inline; filename=\"receipt-order-4711.pdf\"");
        String text = pdfText(receipt.body());
        assertThat(text).contains("Corner Bakery", "Receipt", "Catering", "30.00 USD", "Total paid", "50.00 USD");
        assertThat(text).doesNotContain(partly.history().id().value(), store.value());
    }

    @Test
    void theInvoicePdfCarriesTheFigures() throws Exception {
        var pdf = bytes(unpaid.page() + "/invoice.pdf");
        assertThat(pdf.statusCode()).isEqualTo(200);
        // The reference is the token's first 12 characters after ck_; a file name neither starts nor ends in '-'.
        String reference = unpaid.token().value().substring(3, 15).replaceAll("^[-.]+|-+$", "");
        assertThat(pdf.headers().firstValue("Content-Disposition"))
                .hasValue("inline; filename=\"invoice-" + reference + ".pdf\"");
        String text = pdfText(pdf.body());
        assertThat(text).contains("Corner Bakery", "Two concert tickets", "100.00 USD", "open", "2030-01-31");
        assertThat(text).doesNotContain(unpaid.history().id().value(), store.value());
    }

    static String pdfText(byte[] pdf) throws Exception {
        var reader = new PdfReader(pdf);
        try {
            var extractor = new PdfTextExtractor(reader);
            var text = new StringBuilder();
            for (int page = 1; page <= reader.getNumberOfPages(); page++) {
                text.append(extractor.getTextFromPage(page)).append('\n');
            }
            return text.toString();
        } finally {
            reader.close();
        }
    }

    @Test
    void anUnknownTamperedOrMalformedTokenOrAnInvoiceIdIsTheSame404Page() {
        String token = unpaid.token().value();
        char last = token.charAt(token.length() - 1);
        String tampered = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
        String unknown = null;
        for (String path : List.of("/checkout/" + CheckoutToken.generate().value(), "/checkout/" + tampered,
                "/checkout/not-a-token", "/checkout/" + unpaid.history().id().value(),
                "/checkout/" + old.id().value(), "/checkout/" + tampered + "/invoice.pdf")) {
            var response = get(path);
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(response.raw()).contains("Invoice not found");
            if (unknown == null) {
                unknown = response.raw();
            }
            assertThat(response.raw()).as("nothing tells an existing invoice from none").isEqualTo(unknown);
        }
    }

    @Test
    void anInvoiceFromBeforeTokensHasNoTokenAndNoPage() {
        assertThat(jdbc.queryForObject("SELECT checkout_token FROM invoice WHERE id = ?", String.class,
                old.id().value())).isNull();
        assertThat(jdbc.queryForObject("SELECT checkout_token FROM invoice WHERE id = ?", String.class,
                unpaid.history().id().value())).isEqualTo(unpaid.token().value());
        assertThat(get("/checkout/" + old.id().value()).status()).isEqualTo(404);
    }

    @Test
    void everyCheckoutResponseCarriesTheProtectiveHeaders() {
        for (String path : List.of(unpaid.page(), unpaid.page() + "/status", partly.page() + "/receipt.pdf",
                unpaid.page() + "/invoice.pdf", "/checkout/assets/checkout.js", "/checkout/assets/checkout.css",
                "/checkout/nope", "/checkout/" + CheckoutToken.generate().value() + "/status")) {
            var response = get(path);
            for (int i = 0; i < HEADERS.size(); i += 2) {
                assertThat(response.header(HEADERS.get(i))).as(path + " " + HEADERS.get(i)).contains(HEADERS.get(i + 1));
            }
        }
    }

    @Test
    void theScriptAndStylesheetComeFromTheJar() {
        var script = get("/checkout/assets/checkout.js");
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(script.raw()).contains("/status", "crypto.getRandomValues");
        var style = get("/checkout/assets/checkout.css");
        assertThat(style.status()).isEqualTo(200);
        assertThat(style.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));
    }

    @Test
    void aTokenNeverWorksOnTheMerchantApi() {
        String token = unpaid.token().value();
        for (String path : List.of("/v1/invoices", unpaid.history().path(), unpaid.history().path() + "/status",
                "/v1/events")) {
            var response = api().get(path, token);
            assertThat(response.status()).as(path).isEqualTo(401);
            assertThat(response.json().get("code").asText()).isEqualTo("unauthenticated");
        }
        // The exemption covers the page only, not a path that leaves it.
        for (String path : List.of("/checkout/../v1/invoices", "/checkout/%2e%2e/v1/invoices",
                "/checkout/..;/v1/invoices")) {
            var response = get(path);
            assertThat(response.status()).as(path).isNotEqualTo(200);
            assertThat(response.raw()).as(path).doesNotContain(unpaid.history().id().value());
        }
    }

    @Test
    void aRebuildKeepsEveryToken() throws Exception {
        String key = keyFor(store, Scopes.INVOICES_READ);
        var started = api().post(RebuildIT.BASE, ADMIN_TOKEN, null);
        assertThat(started.status()).as(started.raw()).isEqualTo(202);
        String id = started.json().get("id").asText();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(
                () -> !api().get(RebuildIT.BASE + "/" + id, ADMIN_TOKEN).json().get("state").asText().equals("running"));
        assertThat(api().get(RebuildIT.BASE + "/" + id, ADMIN_TOKEN).json().get("state").asText()).isEqualTo("completed");
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM invoice i FULL JOIN invoice_previous p USING (id)
                WHERE i.checkout_token IS DISTINCT FROM p.checkout_token""", Long.class)).isZero();
        assertThat(checksum("invoice", "t.id")).isEqualTo(checksum("invoice_previous", "t.id"));
        assertThat(jdbc.queryForObject("SELECT checkout_token FROM invoice WHERE id = ?", String.class,
                partly.history().id().value())).isEqualTo(partly.token().value());
        assertThat(text(page(partly), "amount-paid")).isEqualTo("30.00");
        assertThat(api().get(partly.history().path(), key).status()).isEqualTo(200);
    }
}
