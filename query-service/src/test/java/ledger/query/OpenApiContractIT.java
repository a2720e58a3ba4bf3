package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import ledger.events.CreditNoteReason;
import ledger.events.StoreId;
import ledger.support.auth.Scopes;
import ledger.testsupport.ApiClient;
import ledger.testsupport.HandlerContract;
import ledger.testsupport.OpenApiDocument;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * query-service against the merchant API's OpenAPI document (SPEC §7): its handlers are exactly the
 * operations routed to it, with the documented scopes; and invoices (now, {@code as_of}, status,
 * history), lists, events, reports, exports, rebuilds and errors match the documented status, headers
 * and schemas.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiContractIT extends QueryIntegrationTest {

    static final OpenApiDocument DOCUMENT = OpenApiDocument.load();
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    static final String REBUILD = "/admin/v1/projections/invoices/rebuild";

    StoreId store = StoreId.generate();
    String key;
    InvoiceHistory paid;
    InvoiceHistory cancelled;
    InvoiceHistory expired;
    InvoiceHistory open;
    InvoiceHistory corrected;

    @BeforeAll
    void ledger() throws Exception {
        key = keyFor(store, Scopes.INVOICES_READ, Scopes.EVENTS_READ, Scopes.REPORTS_READ);
        paid = InvoiceHistory.of(store, "99.00", "USD");
        publish(paid.create(T0, LocalDate.parse("2026-03-31"), T0.plus(Duration.ofDays(2)), "contract-1", "Two coffees"));
        publish(paid.pay("40.00", T0.plusSeconds(60)));
        publish(paid.pay("59.00", T0.plusSeconds(120)));
        cancelled = InvoiceHistory.of(store, "1000", "JPY");
        publish(cancelled.create(T0.plusSeconds(1), null, T0.plus(Duration.ofDays(2))));
        publish(cancelled.cancel(T0.plusSeconds(180)));
        expired = InvoiceHistory.of(store, "12.500", "BHD");
        publish(expired.create(T0.plusSeconds(2), null, T0.plus(Duration.ofHours(1))));
        publish(expired.pay("2.250", T0.plusSeconds(240)));
        publish(expired.expire(T0.plus(Duration.ofHours(1))));
        open = InvoiceHistory.of(store, "15.00", "USD");
        publish(open.create(T0.plusSeconds(3), LocalDate.parse("2026-03-10"), T0.plus(Duration.ofDays(30))));
        // A day later, outside the export range below: a credit note and refunds (SPEC §4.5).
        Instant later = T0.plus(Duration.ofDays(1));
        corrected = InvoiceHistory.of(store, "99.00", "USD");
        publish(corrected.create(later, null, T0.plus(Duration.ofDays(30))));
        var payment = corrected.pay("40.00", later.plusSeconds(60));
        publish(payment);
        publish(corrected.credit("9.00", CreditNoteReason.ORDER_CHANGE, later.plusSeconds(120)));
        publish(corrected.refund("10.00", payment.paymentId(), later.plusSeconds(180)));
        publish(corrected.refund("5.00", null, later.plusSeconds(240)));
        awaitProjected();
    }

    ApiClient.Response call(int status, String method, String path, String token, String body, String... headers) {
        return DOCUMENT.exchange(api(), status, method, path, token, body, headers);
    }

    ApiClient.Response get(int status, String path, String... headers) {
        return call(status, "GET", path, key, null, headers);
    }

    @Test
    void handlersAreExactlyTheOperationsDocumentedForQueryService(
            @Autowired @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping mapping) {
        HandlerContract.assertMatches(DOCUMENT, "query-service", mapping);
    }

    @Test
    void invoiceReadsMatchTheInvoiceSchemas() {
        var now = get(200, paid.path(), "Ledger-Version", "3");
        var asOf = get(200, paid.path() + "?as_of=2026-03-01T11:01:30%2B01:00");
        get(200, cancelled.path());
        get(200, expired.path());
        var status = get(200, paid.path() + "/status", "Ledger-Version", "1");
        var history = get(200, expired.path() + "/events");
        var page = get(200, expired.path() + "/events?limit=1&starting_after=" + history.json().at("/data/0/id").asText());

        assertThat(now.header("Ledger-Version")).contains("3");
        assertThat(now.json().get("status").asText()).isEqualTo("paid");
        assertThat(now.json().get("payments")).hasSize(2);
        assertThat(asOf.json().get("status").asText()).isEqualTo("partially_paid");
        assertThat(asOf.header("Ledger-Version")).contains("2");
        assertThat(status.json().get("object").asText()).isEqualTo("invoice_status");
        assertThat(history.json().get("data")).hasSize(3);
        assertThat(page.json().at("/data/0/id")).isEqualTo(history.json().at("/data/1/id"));
    }

    @Test
    void correctedInvoiceAndItsEventsMatchTheSchemas() {
        var invoice = get(200, corrected.path());
        var asOf = get(200, corrected.path() + "?as_of=2026-03-02T10:02:30Z"); // credited, not yet refunded
        var history = get(200, corrected.path() + "/events");
        var refunds = get(200, "/v1/events?type=RefundIssued&invoice=" + corrected.id().value());
        var credited = get(200, "/v1/events?type=invoice.credited");
        get(200, "/v1/events?type=invoice.refunded");
        var export = get(200, "/v1/exports/events?type=CreditNoteIssued&invoice=" + corrected.id().value());
        var balances = get(200, "/v1/reports/balances?currency=USD");

        assertThat(invoice.json().get("amount_credited").asText()).isEqualTo("9.00");
        assertThat(invoice.json().get("amount_refunded").asText()).isEqualTo("15.00");
        assertThat(invoice.json().get("amount_due").asText()).isEqualTo("50.00");
        assertThat(invoice.json().get("refunds")).hasSize(2);
        assertThat(invoice.json().get("credit_notes")).hasSize(1);
        assertThat(asOf.json().get("amount_credited").asText()).isEqualTo("9.00");
        assertThat(asOf.json().get("amount_refunded").asText()).isEqualTo("0.00");
        assertThat(asOf.json().get("amount_due").asText()).isEqualTo("50.00");
        assertThat(asOf.json().get("refunds")).isEmpty();
        assertThat(history.json().get("data")).hasSize(5);
        assertThat(refunds.json().get("data")).hasSize(2);
        assertThat(credited.json().get("data")).hasSize(1);
        assertThat(export.raw().lines()).hasSize(1);
        assertThat(balances.json().at("/data/0/refunded").asText()).isEqualTo("15.00");
        assertThat(balances.json().at("/data/0/credited").asText()).isEqualTo("9.00");
    }

    @Test
    void invoiceReadRefusalsCarryTheDocumentedCodes() throws Exception {
        get(404, paid.path() + "?as_of=2026-03-01T09:00:00Z");
        get(404, "/v1/invoices/inv_DoesNotExist000000000000");
        get(404, "/v1/invoices/inv_DoesNotExist000000000000/status");
        get(404, "/v1/invoices/inv_DoesNotExist000000000000/events");
        get(400, paid.path() + "?as_of=yesterday");
        get(400, paid.path() + "?as_of=2100-01-01T00:00:00Z");
        get(400, paid.path() + "/events?limit=0");
        get(400, paid.path() + "/events?starting_after=evt_DoesNotExist000000000000");
        get(400, paid.path(), "Ledger-Version", "soon");
        call(401, "GET", paid.path(), null, null);
        call(403, "GET", paid.path(), keyFor(store, Scopes.EVENTS_READ), null);
        call(404, "GET", paid.path(), keyFor(StoreId.generate(), Scopes.INVOICES_READ), null);
    }

    @Test
    void invoiceListsMatchTheListEnvelope() {
        var first = get(200, "/v1/invoices?limit=2");
        get(200, "/v1/invoices?starting_after=" + first.json().at("/data/1/id").asText());
        get(200, "/v1/invoices?ending_before=" + first.json().at("/data/1/id").asText());
        var filtered = get(200, "/v1/invoices?status=paid&external_order_id=contract-1"
                + "&created%5Bgte%5D=2026-03-01T10:00:00Z&created%5Blt%5D=2026-03-01T10:00:01Z");
        get(400, "/v1/invoices?status=unpaid");
        get(400, "/v1/invoices?limit=101");
        get(400, "/v1/invoices?starting_after=inv_DoesNotExist000000000000");
        get(400, "/v1/invoices?created%5Bgt%5D=tomorrow");

        assertThat(first.json().get("has_more").asBoolean()).isTrue();
        assertThat(filtered.json().get("data")).hasSize(1);
    }

    @Test
    void eventsMatchTheEventSchema() throws Exception {
        var feed = get(200, "/v1/events?limit=3");
        get(200, "/v1/events?starting_after=" + feed.json().at("/data/2/id").asText());
        var byInvoice = get(200, "/v1/events?invoice=" + paid.id().value() + "&type=PaymentReceived"
                + "&created%5Blte%5D=2026-03-01T10:02:00Z");
        get(200, "/v1/events/" + feed.json().at("/data/0/id").asText());
        get(404, "/v1/events/evt_DoesNotExist000000000000");
        var paidWebhooks = get(200, "/v1/events?type=invoice.paid");
        get(400, "/v1/events?type=InvoicePaid");
        get(400, "/v1/events?starting_after=evt_DoesNotExist000000000000");
        call(403, "GET", "/v1/events", keyFor(store, Scopes.INVOICES_READ), null);

        assertThat(byInvoice.json().get("data")).hasSize(2);
        assertThat(paidWebhooks.json().get("data")).hasSize(1);
    }

    @Test
    void reportsMatchTheReportSchemas() throws Exception {
        var balances = get(200, "/v1/reports/balances?as_of=2026-03-02T00:00:00Z");
        get(200, "/v1/reports/balances?currency=eur");
        get(200, "/v1/reports/balances");
        var aging = get(200, "/v1/reports/aging?as_of=2026-04-15T00:00:00Z");
        get(200, "/v1/reports/aging?currency=USD&as_of=2026-03-01T10:00:00Z");
        get(400, "/v1/reports/balances?currency=dollars");
        get(400, "/v1/reports/aging?as_of=later");
        call(403, "GET", "/v1/reports/balances", keyFor(store, Scopes.INVOICES_READ), null);

        assertThat(balances.json().get("data")).extracting(row -> row.get("currency").asText())
                .containsExactly("BHD", "JPY", "USD");
        assertThat(aging.json().at("/data/0/buckets/days_31_60/amount").asText()).isEqualTo("15.00");
    }

    @Test
    void exportsMatchTheEventSchemaLineByLine() {
        String range = "from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z";
        var ndjson = get(200, "/v1/exports/events?" + range);
        var csv = get(200, "/v1/exports/events?format=csv&" + range);
        var payments = get(200, "/v1/exports/events?type=invoice.partially_paid&invoice=" + paid.id().value());
        get(400, "/v1/exports/events?format=xml");
        get(400, "/v1/exports/events?type=InvoicePaid");
        get(400, "/v1/exports/events?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z");

        assertThat(ndjson.raw().lines()).hasSize(9);
        assertThat(payments.raw().lines()).hasSize(1);
        assertThat(csv.raw().lines().findFirst()).contains(
                "id,type,invoice,sequence,created_at,status,currency,amount,amount_paid,amount_due,data");
    }

    @Test
    void rebuildAdminResponsesMatchTheProjectionRebuildSchema() {
        var started = call(202, "POST", REBUILD, ADMIN_TOKEN, null);
        String path = REBUILD + "/" + started.json().get("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(
                () -> !api().get(path, ADMIN_TOKEN).json().get("state").asText().equals("running"));
        var finished = call(200, "GET", path, ADMIN_TOKEN, null);
        call(200, "GET", REBUILD, ADMIN_TOKEN, null);
        call(200, "PATCH", path, ADMIN_TOKEN, "{\"max_events_per_second\":5000}");
        call(200, "DELETE", path, ADMIN_TOKEN, null);
        call(404, "GET", REBUILD + "/rb_DoesNotExist", ADMIN_TOKEN, null);
        call(400, "PATCH", path, ADMIN_TOKEN, "{\"max_events_per_second\":0}");
        call(401, "GET", REBUILD, key, null);

        assertThat(finished.json().get("state").asText()).isEqualTo("completed");
    }
}
