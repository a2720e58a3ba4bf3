package ledger.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import ledger.events.CreditNoteId;
import ledger.events.CreditNoteIssued;
import ledger.events.CreditNoteReason;
import ledger.events.EventId;
import ledger.events.InvoiceExpired;
import ledger.events.InvoiceMarkedUncollectible;
import ledger.events.InvoiceOverdue;
import ledger.events.InvoiceStatus;
import ledger.events.Money;
import ledger.events.RefundId;
import ledger.events.RefundIssued;
import ledger.support.auth.Scopes;
import ledger.testsupport.ApiClient;
import ledger.testsupport.HandlerContract;
import ledger.testsupport.OpenApiDocument;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * webhook-dispatcher against the merchant API's OpenAPI document (SPEC §7): its handlers are exactly the
 * operations routed to it, with the documented scopes; endpoints, delivery history, redelivery, recovery
 * and errors match the documented responses; and every webhook it sends matches the {@code webhooks}
 * section, Standard Webhooks headers included.
 */
class OpenApiContractIT extends WebhookIT {

    static final OpenApiDocument DOCUMENT = OpenApiDocument.load();
    static final Duration WAIT = Duration.ofSeconds(20);
    static final ObjectMapper JSON = new ObjectMapper();

    ApiClient.Response call(int status, String method, String path, String token, String body) {
        return DOCUMENT.exchange(api(), status, method, path, token, body);
    }

    @Test
    void handlersAreExactlyTheOperationsDocumentedForTheDispatcher(
            @Autowired @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping mapping) {
        HandlerContract.assertMatches(DOCUMENT, "webhook-dispatcher", mapping);
    }

    @Test
    void endpointResponsesMatchTheWebhookEndpointSchemas() throws Exception {
        var store = newStore();

        var created = call(201, "POST", "/v1/webhook_endpoints", store.key(),
                "{\"url\":\"https://example.com/hooks\",\"enabled_events\":[\"invoice.paid\",\"invoice.created\"],"
                        + "\"description\":\"Orders\"}");
        String path = "/v1/webhook_endpoints/" + created.json().get("id").asText();
        call(201, "POST", "/v1/webhook_endpoints", store.key(), "{\"url\":\"https://example.com/all\"}");
        call(200, "GET", path, store.key(), null);
        var page = call(200, "GET", "/v1/webhook_endpoints?limit=1", store.key(), null);
        call(200, "GET", "/v1/webhook_endpoints?starting_after=" + page.json().at("/data/0/id").asText(), store.key(),
                null);
        var disabled = call(200, "PATCH", path, store.key(), "{\"disabled\":true,\"description\":\"Paused\"}");
        var rotated = call(200, "POST", path + "/rotate_secret", store.key(), null);
        call(200, "GET", path + "/deliveries", store.key(), null);
        var deleted = call(200, "DELETE", path, store.key(), null);
        call(404, "GET", path, store.key(), null);

        assertThat(page.json().get("has_more").asBoolean()).isTrue();
        assertThat(disabled.json().get("disabled_reason").asText()).isEqualTo("merchant");
        assertThat(rotated.json().get("previous_secret_expires_at").isTextual()).isTrue();
        assertThat(rotated.json().get("secret").asText()).isNotEqualTo(created.json().get("secret").asText());
        assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
    }

    @Test
    void endpointRefusalsCarryTheDocumentedCodes() throws Exception {
        var store = newStore();
        String readOnly = keyFor(store.id(), Scopes.WEBHOOKS_READ);
        String path = "/v1/webhook_endpoints/" + createEndpoint(store, "https://example.com/a", "[\"*\"]")
                .get("id").asText();

        var badUrl = call(400, "POST", "/v1/webhook_endpoints", store.key(), "{\"url\":\"ftp://example.com/x\"}");
        var badType = call(400, "POST", "/v1/webhook_endpoints", store.key(),
                "{\"url\":\"https://example.com/x\",\"enabled_events\":[\"invoice.disputed\"]}");
        call(400, "POST", "/v1/webhook_endpoints", store.key(), "{\"enabled_events\":[\"*\"]}");
        call(400, "POST", "/v1/webhook_endpoints", store.key(), "{\"url\":\"https://example.com/x\",\"colour\":1}");
        call(400, "PATCH", path, store.key(), "{\"enabled_events\":[]}");
        call(400, "GET", "/v1/webhook_endpoints?limit=0", store.key(), null);
        call(400, "GET", "/v1/webhook_endpoints?starting_after=we_Nope", store.key(), null);
        call(400, "POST", path + "/recover", store.key(), "{}");
        call(400, "POST", path + "/recover", store.key(), "{\"since\":\"2999-01-01T00:00:00Z\"}");
        call(401, "GET", "/v1/webhook_endpoints", null, null);
        call(403, "POST", "/v1/webhook_endpoints", readOnly, "{\"url\":\"https://example.com/x\"}");
        call(404, "PATCH", "/v1/webhook_endpoints/we_Nope", store.key(), "{\"disabled\":true}");
        call(404, "POST", "/v1/webhook_endpoints/we_Nope/rotate_secret", store.key(), null);
        call(404, "GET", "/v1/webhook_endpoints/we_Nope/deliveries", store.key(), null);
        call(404, "POST", "/v1/events/evt_Nope/redeliver", store.key(), null);
        call(200, "PATCH", path, store.key(), "{\"disabled\":true}");
        var disabled = call(409, "POST", path + "/recover", store.key(), "{\"since\":\"2020-01-01T00:00:00Z\"}");

        assertThat(badUrl.json().get("code").asText()).isEqualTo("url_invalid");
        assertThat(badType.json().get("code").asText()).isEqualTo("unknown_event_type");
        assertThat(disabled.json().get("code").asText()).isEqualTo("endpoint_disabled");
    }

    @Test
    void everyWebhookTypeMatchesTheWebhooksSectionAndDeliveriesTheirSchema() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            String endpoint = createEndpoint(store, receiver.url("/hooks"), "[\"*\"]").get("id").asText();
            var paid = created(store.id(), "100.00", receiver.url("/callback"));
            var cancelled = created(store.id(), "20.00", null);
            var expiring = created(store.id(), "30.00", null);
            var partial = payment(expiring, 2, "10.00", "10.00");
            var expired = new InvoiceExpired(EventId.generate(), expiring.invoiceId(), store.id(), 3,
                    Instant.now().truncatedTo(ChronoUnit.MICROS), InvoiceStatus.EXPIRED, Money.parse("10.00", USD),
                    Money.parse("20.00", USD));
            var overdue = new InvoiceOverdue(EventId.generate(), cancelled.invoiceId(), store.id(), 2,
                    Instant.now().truncatedTo(ChronoUnit.MICROS), java.time.LocalDate.parse("2026-01-31"),
                    InvoiceStatus.OPEN, Money.zero(USD), Money.parse("20.00", USD));
            var corrected = created(store.id(), "50.00", null);
            var received = payment(corrected, 2, "20.00", "20.00");
            var credited = new CreditNoteIssued(EventId.generate(), corrected.invoiceId(), store.id(), 3,
                    Instant.now().truncatedTo(ChronoUnit.MICROS), CreditNoteId.generate(), Money.parse("5.00", USD),
                    CreditNoteReason.ORDER_CHANGE, "One item was out of stock", Money.parse("5.00", USD),
                    InvoiceStatus.PARTIALLY_PAID, Money.parse("20.00", USD), Money.parse("25.00", USD));
            var refunded = new RefundIssued(EventId.generate(), corrected.invoiceId(), store.id(), 4,
                    Instant.now().truncatedTo(ChronoUnit.MICROS), RefundId.generate(), Money.parse("10.00", USD),
                    "refund-1", received.paymentId(), null, Money.parse("10.00", USD), InvoiceStatus.PARTIALLY_PAID,
                    Money.parse("20.00", USD), Money.parse("25.00", USD));
            var writtenOff = new InvoiceMarkedUncollectible(EventId.generate(), corrected.invoiceId(), store.id(), 5,
                    Instant.now().truncatedTo(ChronoUnit.MICROS), InvoiceStatus.UNCOLLECTIBLE,
                    Money.parse("20.00", USD), Money.parse("25.00", USD));
            publish(paid, payment(paid, 2, "40.00", "40.00"), payment(paid, 3, "60.00", "100.00"), cancelled,
                    overdue, cancelled(cancelled, 3), expiring, partial, expired, corrected, received, credited,
                    refunded, writtenOff);

            // 14 events to the endpoint, 3 of them (the first invoice's) also to its callback_url.
            await().atMost(WAIT).until(() -> receiver.requests().size() == 17);
            for (Receiver.Request request : receiver.requests()) {
                DOCUMENT.assertWebhook(request.body(), request::header);
            }
            assertThat(receiver.requests()).extracting(r -> JSON.readTree(r.body()).get("type").asText())
                    .contains("invoice.created", "invoice.partially_paid", "invoice.paid", "invoice.cancelled",
                            "invoice.expired", "invoice.overdue", "invoice.credited", "invoice.refunded",
                            "invoice.marked_uncollectible");

            String deliveries = "/v1/webhook_endpoints/" + endpoint + "/deliveries";
            await().atMost(WAIT).untilAsserted(() -> assertThat(api().get(deliveries + "?limit=100", store.key())
                    .json().get("data")).hasSize(14));
            var history = call(200, "GET", deliveries + "?limit=3", store.key(), null);
            call(200, "GET", deliveries + "?event=" + paid.eventId().value(), store.key(), null);
            call(200, "GET", deliveries + "?ending_before=" + history.json().at("/data/2/id").asText(), store.key(),
                    null);
            call(202, "POST", "/v1/events/" + paid.eventId().value() + "/redeliver", store.key(), null);
            call(202, "POST", "/v1/events/" + paid.eventId().value() + "/redeliver", store.key(),
                    "{\"endpoint\":\"" + endpoint + "\"}");
            call(202, "POST", "/v1/webhook_endpoints/" + endpoint + "/recover", store.key(),
                    "{\"since\":\"2020-01-01T00:00:00Z\"}");
        }
    }
}
