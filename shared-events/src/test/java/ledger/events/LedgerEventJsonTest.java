package ledger.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the wire format of every ledger event: the record serialises to exactly its golden file, and
 * the golden file reads back into an equal record. A failing test here means consumers would break.
 */
class LedgerEventJsonTest {

    static final ObjectMapper JSON = LedgerJson.mapper();
    static final Currency USD = Currency.getInstance("USD");
    static final InvoiceId INVOICE = new InvoiceId("inv_7Hq2LmXc9RtY4vBn3KpW8sJd");
    static final StoreId STORE = new StoreId("st_Demo0000000000000000001");
    static final Instant T0 = Instant.parse("2026-11-21T10:15:30.123456Z");

    static Stream<Arguments> events() {
        return Stream.of(
                Arguments.of("invoice-created.json", created("INV-000042", List.of(
                        LineItem.compute("Coffee beans, 250 g", new BigDecimal("3"), Money.parse("30.00", USD),
                                new BigDecimal("10"), new BigDecimal("20")),
                        LineItem.compute("Delivery", new BigDecimal("0.5"), Money.parse("3.60", USD), null, null)))),
                Arguments.of("payment-received.json", new PaymentReceived(
                        new EventId("evt_0000000000000000000000A2"), INVOICE, STORE, 2, T0.plusSeconds(60),
                        new PaymentId("pay_0000000000000000000000B1"), Money.parse("40", USD), "bank-tx-77",
                        "bank_transfer", Instant.parse("2026-11-21T10:16:00Z"),
                        InvoiceStatus.PARTIALLY_PAID, Money.parse("40.00", USD), Money.parse("59.00", USD))),
                Arguments.of("invoice-cancelled.json", new InvoiceCancelled(
                        new EventId("evt_0000000000000000000000A3"), INVOICE, STORE, 2, T0.plusSeconds(120),
                        "customer changed their mind", InvoiceStatus.CANCELLED, Money.zero(USD),
                        Money.parse("99.00", USD))),
                Arguments.of("invoice-expired.json", new InvoiceExpired(
                        new EventId("evt_0000000000000000000000A4"), INVOICE, STORE, 3, Instant.parse("2026-11-21T22:15:31Z"),
                        InvoiceStatus.EXPIRED, Money.parse("40.00", USD), Money.parse("59.00", USD))),
                Arguments.of("invoice-overdue.json", new InvoiceOverdue(
                        new EventId("evt_0000000000000000000000A5"), INVOICE, STORE, 3,
                        Instant.parse("2026-12-02T00:00:01.500Z"), LocalDate.parse("2026-12-01"),
                        InvoiceStatus.PARTIALLY_PAID, Money.parse("40.00", USD), Money.parse("59.00", USD))),
                Arguments.of("invoice-marked-uncollectible.json", new InvoiceMarkedUncollectible(
                        new EventId("evt_0000000000000000000000A6"), INVOICE, STORE, 3,
                        Instant.parse("2026-12-20T09:00:00Z"), InvoiceStatus.UNCOLLECTIBLE, Money.parse("40.00", USD),
                        Money.parse("59.00", USD))),
                Arguments.of("credit-note-issued.json", new CreditNoteIssued(
                        new EventId("evt_0000000000000000000000A7"), INVOICE, STORE, 3, Instant.parse("2026-11-22T08:00:00Z"),
                        new CreditNoteId("cn_0000000000000000000000C1"), Money.parse("9.00", USD),
                        CreditNoteReason.ORDER_CHANGE, "One coffee was out of stock", Money.parse("9.00", USD),
                        InvoiceStatus.PARTIALLY_PAID, Money.parse("40.00", USD), Money.parse("50.00", USD))),
                Arguments.of("refund-issued.json", new RefundIssued(
                        new EventId("evt_0000000000000000000000A8"), INVOICE, STORE, 4,
                        Instant.parse("2026-11-22T09:30:00.500Z"), new RefundId("re_0000000000000000000000D1"),
                        Money.parse("10.00", USD), "refund-77", new PaymentId("pay_0000000000000000000000B1"),
                        "requested_by_customer", Money.parse("10.00", USD), InvoiceStatus.PARTIALLY_PAID,
                        Money.parse("40.00", USD), Money.parse("50.00", USD))));
    }

    static InvoiceCreated created(String number, List<LineItem> lines) {
        return new InvoiceCreated(new EventId("evt_0000000000000000000000A1"), INVOICE, STORE, 1, T0, number,
                Money.parse("99.00", USD), lines, "order-1001", "Two coffees", "buyer@example.com",
                Map.of("channel", "web"), "http://localhost:8080/checkout/inv_7Hq2LmXc9RtY4vBn3KpW8sJd",
                "https://merchant.example.com/hooks/ledger", "https://merchant.example.com/thanks",
                LocalDate.parse("2026-12-01"), Instant.parse("2026-11-21T22:15:30Z"), false, InvoiceStatus.OPEN,
                Money.zero(USD), Money.parse("99.00", USD));
    }

    /**
     * Revision 1, from before numbers and line items: read directly or upcast first, it is the same invoice without
     * either.
     */
    @Test
    void aRevision1InvoiceCreatedReadsAsOneWithoutANumberOrLinesEitherWay() throws IOException {
        var revision1 = (ObjectNode) golden("invoice-created-r1.json");
        assertThat(revision1.has("line_items") || revision1.has("number")).isFalse();
        var withoutLines = created(null, List.of());

        assertThat(JSON.treeToValue(revision1, LedgerEvent.class)).isEqualTo(withoutLines);
        var upcast = InvoiceCreated.upcastToRevision2(revision1.deepCopy());
        assertThat(JSON.treeToValue(upcast, LedgerEvent.class)).isEqualTo(withoutLines);
        assertThat(upcast).isEqualTo(JSON.readTree(JSON.writerFor(LedgerEvent.class).writeValueAsString(withoutLines)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void writesExactlyTheGoldenJson(String golden, LedgerEvent event) throws IOException {
        JsonNode written = JSON.readTree(JSON.writerFor(LedgerEvent.class).writeValueAsString(event));
        assertThat(written).isEqualTo(golden(golden));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void readsTheGoldenJsonBackIntoAnEqualEvent(String golden, LedgerEvent event) throws IOException {
        LedgerEvent read = JSON.treeToValue(golden(golden), LedgerEvent.class);
        assertThat(read).isEqualTo(event);
        assertThat(read.type()).isEqualTo(golden(golden).get("type").asText());
    }

    /**
     * The event store keeps each event as its own class serialises (Axon's JacksonSerializer), and the relay
     * passes those bytes on as they are: they must be the wire format, and their envelope must name the event.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void anEventAsStoredIsItsWireFormatAndItsEnvelopeNamesIt(String golden, LedgerEvent event) throws IOException {
        byte[] stored = JSON.writeValueAsBytes(event);

        assertThat(stored).isEqualTo(JSON.writerFor(LedgerEvent.class).writeValueAsBytes(event));
        assertThat(LedgerJson.envelope(stored)).isEqualTo(new LedgerJson.Envelope(event.type(), event.eventId().value()));
    }

    @Test
    void jsonWithoutATypeOrEventIdHasNoEnvelope() {
        assertThatThrownBy(() -> LedgerJson.envelope("{\"type\":\"InvoiceCreated\",\"x\":{\"event_id\":\"e\"}}"
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LedgerJson.envelope("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static JsonNode golden(String name) throws IOException {
        try (InputStream in = LedgerEventJsonTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as("golden file %s", name).isNotNull();
            return JSON.readTree(in);
        }
    }
}
