package ledger.command.invoice;

import static ledger.command.invoice.Satisfies.satisfies;
import static org.assertj.core.api.Assertions.assertThat;
import static org.axonframework.test.matchers.Matchers.exactSequenceOf;
import static org.axonframework.test.matchers.Matchers.messageWithPayload;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.Map;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.Money;
import ledger.events.StoreId;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InvoiceTest {

    static final Instant NOW = Instant.parse("2026-11-21T10:00:00.123456789Z");
    static final Currency USD = Currency.getInstance("USD");
    static final StoreId STORE = new StoreId("st_store1");

    AggregateTestFixture<Invoice> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Invoice.class);
        fixture.registerInjectableResource(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    static CreateInvoice create(InvoiceId id) {
        return new CreateInvoice(id, STORE, Money.parse("99.00", USD), "order-1001", "desc", null, Map.of("a", "b"),
                "http://localhost:8080/checkout/" + id, null, null, null, NOW.plusSeconds(43_200), false);
    }

    @Test
    void createdInvoiceIsOpenWithTheWholeAmountDueAndSequenceOne() {
        var id = InvoiceId.generate();
        var command = create(id);
        var created = satisfies(InvoiceCreated.class, e -> {
            assertThat(e.invoiceId()).isEqualTo(id);
            assertThat(e.storeId()).isEqualTo(STORE);
            assertThat(e.eventId().value()).startsWith("evt_");
            assertThat(e.sequence()).isEqualTo(1);
            assertThat(e.occurredAt()).isEqualTo(Instant.parse("2026-11-21T10:00:00.123456Z"));
            assertThat(e.status()).isEqualTo(InvoiceStatus.OPEN);
            assertThat(e.amount().toPlainString()).isEqualTo("99.00");
            assertThat(e.amountPaid().toPlainString()).isEqualTo("0.00");
            assertThat(e.amountDue().toPlainString()).isEqualTo("99.00");
            assertThat(e.externalOrderId()).isEqualTo(command.externalOrderId());
            assertThat(e.metadata()).isEqualTo(command.metadata());
            assertThat(e.expiresAt()).isEqualTo(command.expiresAt());
        });
        fixture.givenNoPriorActivity()
                .when(command)
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactSequenceOf(messageWithPayload(created)))
                .expectResultMessagePayloadMatching(created);
    }
}
