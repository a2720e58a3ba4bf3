package ledger.command.invoice;

import static ledger.command.invoice.Satisfies.satisfies;
import static org.assertj.core.api.Assertions.assertThat;
import static org.axonframework.test.matchers.Matchers.exactSequenceOf;
import static org.axonframework.test.matchers.Matchers.messageWithPayload;

import java.time.Instant;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ledger.command.MovableClock;
import ledger.events.CheckoutToken;
import ledger.events.CreditNoteIssued;
import ledger.events.CreditNoteReason;
import ledger.events.EventId;
import ledger.events.InvoiceCancelled;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceExpired;
import ledger.events.InvoiceId;
import ledger.events.InvoiceMarkedUncollectible;
import ledger.events.InvoiceOverdue;
import ledger.events.InvoiceStatus;
import ledger.events.InvoiceView;
import ledger.events.Money;
import ledger.events.PaymentId;
import ledger.events.PaymentReceived;
import ledger.events.RefundId;
import ledger.events.RefundIssued;
import ledger.events.StoreId;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Given/when/then for every rule and refusal of the invoice (SPEC §4.2). */
class InvoiceTest {

    /** Near the fixture's own (real) clock, so advancing its time to the deadline works on any date. */
    static final Instant NOW = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusNanos(123_456_789);
    static final Instant NOW_MICROS = NOW.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    static final Instant EXPIRES = NOW.plusSeconds(43_200);
    static final Currency USD = Currency.getInstance("USD");
    static final StoreId STORE = new StoreId("st_store1");

    final InvoiceId id = InvoiceId.generate();
    final FakeExternalOrderIds orderIds = new FakeExternalOrderIds();
    final CheckoutToken token = CheckoutToken.generate();
    final FakeCheckoutTokens checkoutTokens = new FakeCheckoutTokens();
    final MovableClock clock = new MovableClock(NOW);
    AggregateTestFixture<Invoice> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Invoice.class);
        fixture.registerInjectableResource(clock);
        fixture.registerInjectableResource(orderIds);
        fixture.registerInjectableResource(checkoutTokens);
    }

    static Money usd(String amount) {
        return Money.parse(amount, USD);
    }

    CreateInvoice create(String amount, String externalOrderId) {
        return new CreateInvoice(id, STORE, usd(amount), List.of(), externalOrderId, "desc", null, Map.of("a", "b"),
                "http://localhost:8080/checkout/" + token.value(), null, null, null, EXPIRES, false);
    }

    InvoiceCreated created(String amount) {
        return new InvoiceCreated(EventId.generate(), id, STORE, 1, NOW_MICROS, null, usd(amount), List.of(), "order-1",
                null, null, Map.of(), "http://localhost/checkout/" + id, null, null, null, EXPIRES, false, InvoiceStatus.OPEN,
                usd("0"), usd(amount));
    }

    PaymentReceived paid(long sequence, String amount, String reference, String totalPaid, String due,
                         InvoiceStatus status) {
        return new PaymentReceived(EventId.generate(), id, STORE, sequence, NOW_MICROS, PaymentId.generate(),
                usd(amount), reference, null, NOW_MICROS, status, usd(totalPaid), usd(due));
    }

    PayInvoice pay(String amount, String reference) {
        return new PayInvoice(id, STORE, false, usd(amount), reference, "card", null);
    }

    static <T> org.hamcrest.Matcher<Object> rejected(String code) {
        return satisfies(InvoiceRejected.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    @Nested
    class Create {
        @Test
        void isOpenWithTheWholeAmountDueSequenceOneAndAnExpiryDeadline() {
            var command = create("99.00", "order-1001");
            var created = satisfies(InvoiceCreated.class, e -> {
                assertThat(e.invoiceId()).isEqualTo(id);
                assertThat(e.storeId()).isEqualTo(STORE);
                assertThat(e.eventId().value()).startsWith("evt_");
                assertThat(e.sequence()).isEqualTo(1);
                assertThat(e.occurredAt()).isEqualTo(NOW_MICROS);
                assertThat(e.status()).isEqualTo(InvoiceStatus.OPEN);
                assertThat(e.amount().toPlainString()).isEqualTo("99.00");
                assertThat(e.amountPaid().toPlainString()).isEqualTo("0.00");
                assertThat(e.amountDue().toPlainString()).isEqualTo("99.00");
                assertThat(e.externalOrderId()).isEqualTo("order-1001");
                assertThat(e.metadata()).isEqualTo(command.metadata());
                assertThat(e.expiresAt()).isEqualTo(EXPIRES);
                assertThat(e.checkoutUrl()).isEqualTo("http://localhost:8080/checkout/" + token.value());
                assertThat(e.number()).as("given by the event store at commit").isNull();
            });
            fixture.givenNoPriorActivity()
                    .when(command)
                    .expectSuccessfulHandlerExecution()
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(created)))
                    .expectResultMessagePayloadMatching(created)
                    .expectScheduledDeadlineWithName(EXPIRES, Invoice.EXPIRY);
            assertThat(orderIds.claims).containsEntry("order-1001", id);
            assertThat(checkoutTokens.owners).containsEntry(token, new CheckoutTokens.Owner(id, STORE, false));
        }

        @Test
        void refusesAnExternalOrderIdHeldByAnotherOpenInvoice() {
            orderIds.claims.put("order-1001", InvoiceId.generate());
            fixture.givenNoPriorActivity()
                    .when(create("99.00", "order-1001"))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.DUPLICATE_EXTERNAL_ORDER_ID));
            assertThat(checkoutTokens.owners).isEmpty();
        }
    }

    @Nested
    class Pay {
        @Test
        void partialPaymentLeavesTheRestDue() {
            fixture.given(created("99.00"))
                    .when(pay("40.00", "ref-1"))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(PaymentReceived.class, e -> {
                        assertThat(e.sequence()).isEqualTo(2);
                        assertThat(e.amount().toPlainString()).isEqualTo("40.00");
                        assertThat(e.reference()).isEqualTo("ref-1");
                        assertThat(e.receivedAt()).isEqualTo(NOW_MICROS);
                        assertThat(e.status()).isEqualTo(InvoiceStatus.PARTIALLY_PAID);
                        assertThat(e.amountPaid().toPlainString()).isEqualTo("40.00");
                        assertThat(e.amountDue().toPlainString()).isEqualTo("59.00");
                    }))))
                    .expectResultMessagePayloadMatching(satisfies(PaymentOutcome.class, o -> {
                        assertThat(o.recorded()).isTrue();
                        // the answer's invoice: what reading the events back would show, payment included
                        assertThat(o.invoice().version()).isEqualTo(2);
                        assertThat(o.invoice().status()).isEqualTo(InvoiceStatus.PARTIALLY_PAID);
                        assertThat(o.invoice().amountDue()).isEqualTo("59.00");
                        assertThat(o.invoice().payments()).singleElement().satisfies(p -> {
                            assertThat(p.id()).isEqualTo(o.paymentId().value());
                            assertThat(p.reference()).isEqualTo("ref-1");
                        });
                    }));
        }

        @Test
        void exactPaymentSettlesTheInvoiceAndFreesTheOrderId() {
            orderIds.claims.put("order-1", id);
            fixture.given(created("99.00"), paid(2, "40.00", "ref-1", "40.00", "59.00", InvoiceStatus.PARTIALLY_PAID))
                    .when(pay("59.00", "ref-2"))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(PaymentReceived.class, e -> {
                        assertThat(e.sequence()).isEqualTo(3);
                        assertThat(e.status()).isEqualTo(InvoiceStatus.PAID);
                        assertThat(e.amountPaid().toPlainString()).isEqualTo("99.00");
                        assertThat(e.amountDue().toPlainString()).isEqualTo("0.00");
                    }))));
            assertThat(orderIds.claims).doesNotContainKey("order-1");
        }

        @Test
        void overpaymentIsRecordedExactly() {
            fixture.given(created("99.00"))
                    .when(pay("100.01", "ref-1"))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(PaymentReceived.class, e -> {
                        assertThat(e.status()).isEqualTo(InvoiceStatus.OVERPAID);
                        assertThat(e.amountPaid().toPlainString()).isEqualTo("100.01");
                        assertThat(e.amountDue().toPlainString()).isEqualTo("0.00");
                    }))));
        }

        @Test
        void repeatingAReferenceWithTheSameAmountIsANoOpReturningTheSamePayment() {
            var first = paid(2, "40.00", "ref-1", "40.00", "59.00", InvoiceStatus.PARTIALLY_PAID);
            fixture.given(created("99.00"), first)
                    .when(pay("40.00", "ref-1"))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(satisfies(PaymentOutcome.class, o -> {
                        assertThat(o.recorded()).isFalse();
                        assertThat(o.paymentId()).isEqualTo(first.paymentId());
                        assertThat(o.invoice()).isEqualTo(InvoiceView.replay(List.of(created("99.00"), first)));
                    }));
        }

        @Test
        void repeatingAReferenceWithAnotherAmountConflicts() {
            fixture.given(created("99.00"), paid(2, "40.00", "ref-1", "40.00", "59.00", InvoiceStatus.PARTIALLY_PAID))
                    .when(pay("41.00", "ref-1"))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.REFERENCE_CONFLICT));
        }

        @Test
        void refusesAnotherCurrency() {
            fixture.given(created("99.00"))
                    .when(new PayInvoice(id, STORE, false, Money.parse("99", Currency.getInstance("EUR")), "r", null, null))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.CURRENCY_MISMATCH));
        }

        @Test
        void refusesPaymentsOnceFinal() {
            fixture.given(created("99.00"), paid(2, "99.00", "ref-1", "99.00", "0.00", InvoiceStatus.PAID))
                    .when(pay("1.00", "ref-2"))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.NOT_PAYABLE));
        }

        @Test
        void refusesPaymentsOnCancelledAndExpiredInvoices() {
            fixture.given(created("99.00"), cancelled(2))
                    .when(pay("1.00", "ref-2"))
                    .expectException(rejected(InvoiceRejected.NOT_PAYABLE));
            fixture.given(created("99.00"), expired(2, "0.00", "99.00"))
                    .when(pay("1.00", "ref-2"))
                    .expectException(rejected(InvoiceRejected.NOT_PAYABLE));
        }

        @Test
        void refusesPaymentsOnceTheClockReachesExpiresAtThoughInvoiceExpiredIsNotAppendedYet() {
            clock.moveTo(EXPIRES);
            fixture.given(created("99.00"))
                    .when(pay("1.00", "ref-1"))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.NOT_PAYABLE));
        }

        @Test
        void acceptsAPaymentJustBeforeExpiresAt() {
            clock.moveTo(EXPIRES.minusNanos(1_000));
            fixture.given(created("99.00"))
                    .when(pay("1.00", "ref-1"))
                    .expectSuccessfulHandlerExecution();
        }

        @Test
        void aRepeatedPaymentAfterExpiresAtStillAnswersTheFirstResult() {
            var first = paid(2, "40.00", "ref-1", "40.00", "59.00", InvoiceStatus.PARTIALLY_PAID);
            clock.moveTo(EXPIRES.plusSeconds(1));
            fixture.given(created("99.00"), first)
                    .when(pay("40.00", "ref-1"))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(satisfies(PaymentOutcome.class,
                            o -> assertThat(o.paymentId()).isEqualTo(first.paymentId())));
        }

        @Test
        void anotherStoresInvoiceLooksMissing() {
            fixture.given(created("99.00"))
                    .when(new PayInvoice(id, new StoreId("st_other"), false, usd("1.00"), "r", null, null))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.NOT_FOUND));
        }

        @Test
        void anotherModesInvoiceLooksMissing() {
            fixture.given(created("99.00"))
                    .when(new PayInvoice(id, STORE, true, usd("1.00"), "r", null, null))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.NOT_FOUND));
        }
    }

    InvoiceCancelled cancelled(long sequence) {
        return new InvoiceCancelled(EventId.generate(), id, STORE, sequence, NOW_MICROS, null, InvoiceStatus.CANCELLED,
                usd("0"), usd("99.00"));
    }

    InvoiceExpired expired(long sequence, String paid, String due) {
        return new InvoiceExpired(EventId.generate(), id, STORE, sequence, NOW_MICROS, InvoiceStatus.EXPIRED,
                usd(paid), usd(due));
    }

    @Nested
    class Cancel {
        @Test
        void cancelsAnOpenUnpaidInvoiceAndFreesItsOrderId() {
            orderIds.claims.put("order-1", id);
            fixture.given(created("99.00"))
                    .when(new CancelInvoice(id, STORE, false, "changed mind"))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(InvoiceCancelled.class, e -> {
                        assertThat(e.sequence()).isEqualTo(2);
                        assertThat(e.reason()).isEqualTo("changed mind");
                        assertThat(e.status()).isEqualTo(InvoiceStatus.CANCELLED);
                        assertThat(e.amountDue().toPlainString()).isEqualTo("99.00");
                    }))))
                    .expectResultMessagePayloadMatching(satisfies(InvoiceView.class, v -> {
                        assertThat(v.status()).isEqualTo(InvoiceStatus.CANCELLED);
                        assertThat(v.cancellationReason()).isEqualTo("changed mind");
                        assertThat(v.version()).isEqualTo(2);
                    }));
            assertThat(orderIds.claims).isEmpty();
        }

        @Test
        void cancellingTwiceChangesNothing() {
            var cancelled = cancelled(2);
            fixture.given(created("99.00"), cancelled)
                    .when(new CancelInvoice(id, STORE, false, null))
                    .expectNoEvents()
                    .expectResultMessagePayload(InvoiceView.replay(List.of(created("99.00"), cancelled)));
        }

        @Test
        void refusesOnceSomethingWasPaidOrTheInvoiceIsFinal() {
            fixture.given(created("99.00"), paid(2, "1.00", "ref-1", "1.00", "98.00", InvoiceStatus.PARTIALLY_PAID))
                    .when(new CancelInvoice(id, STORE, false, null))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.NOT_CANCELLABLE));
            fixture.given(created("99.00"), expired(2, "0.00", "99.00"))
                    .when(new CancelInvoice(id, STORE, false, null))
                    .expectException(rejected(InvoiceRejected.NOT_CANCELLABLE));
        }

        @Test
        void refusesOnceTheClockReachesExpiresAtThoughInvoiceExpiredIsNotAppendedYet() {
            clock.moveTo(EXPIRES.plusMillis(300));
            fixture.given(created("99.00"))
                    .when(new CancelInvoice(id, STORE, false, null))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.NOT_CANCELLABLE));
        }

        @Test
        void anotherStoresInvoiceLooksMissing() {
            fixture.given(created("99.00"))
                    .when(new CancelInvoice(id, new StoreId("st_other"), false, null))
                    .expectException(rejected(InvoiceRejected.NOT_FOUND));
        }

        @Test
        void anotherModesInvoiceLooksMissing() {
            fixture.given(created("99.00"))
                    .when(new CancelInvoice(id, STORE, true, null))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.NOT_FOUND));
        }
    }

    @Nested
    class Uncollectible {
        final MarkUncollectible mark = new MarkUncollectible(id, STORE, false);

        @Test
        void anOpenOrPartlyPaidInvoiceIsWrittenOffKeepingWhatIsDue() {
            fixture.given(created("99.00"), paid(2, "40.00", "ref-1", "40.00", "59.00", InvoiceStatus.PARTIALLY_PAID))
                    .when(mark)
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(
                            satisfies(InvoiceMarkedUncollectible.class, e -> {
                                assertThat(e.sequence()).isEqualTo(3);
                                assertThat(e.status()).isEqualTo(InvoiceStatus.UNCOLLECTIBLE);
                                assertThat(e.amountPaid().toPlainString()).isEqualTo("40.00");
                                assertThat(e.amountDue().toPlainString()).isEqualTo("59.00");
                            }))))
                    .expectResultMessagePayloadMatching(satisfies(InvoiceView.class, v -> {
                        assertThat(v.status()).isEqualTo(InvoiceStatus.UNCOLLECTIBLE);
                        assertThat(v.markedUncollectibleAt()).isEqualTo(NOW_MICROS);
                        assertThat(v.version()).isEqualTo(3);
                    }));
        }

        @Test
        void markingAgainChangesNothing() {
            fixture.givenCommands(create("99.00", null), mark)
                    .when(mark)
                    .expectNoEvents()
                    .expectSuccessfulHandlerExecution();
        }

        @Test
        void refusedOnceSettledCancelledExpiredOrPastTheDeadline() {
            fixture.given(created("99.00"), paid(2, "99.00", "ref-1", "99.00", "0.00", InvoiceStatus.PAID))
                    .when(mark)
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.NOT_MARKABLE_UNCOLLECTIBLE));
            fixture.given(created("99.00"), cancelled(2))
                    .when(mark)
                    .expectException(rejected(InvoiceRejected.NOT_MARKABLE_UNCOLLECTIBLE));
            fixture.given(created("99.00"), expired(2, "0.00", "99.00"))
                    .when(mark)
                    .expectException(rejected(InvoiceRejected.NOT_MARKABLE_UNCOLLECTIBLE));
            clock.moveTo(EXPIRES.plusMillis(300));
            fixture.given(created("99.00"))
                    .when(mark)
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.NOT_MARKABLE_UNCOLLECTIBLE));
        }

        @Test
        void itNoLongerExpiresNorGoesOverdue() {
            fixture.givenCommands(create("99.00", null), mark)
                    .whenThenTimeAdvancesTo(EXPIRES.plusSeconds(1))
                    .expectNoEvents();
        }

        @Test
        void aPartPaymentKeepsItWrittenOffAndTheRestSettlesItEvenPastTheOldExpiry() {
            var writtenOff = new InvoiceMarkedUncollectible(EventId.generate(), id, STORE, 2, NOW_MICROS,
                    InvoiceStatus.UNCOLLECTIBLE, usd("0"), usd("99.00"));
            clock.moveTo(EXPIRES.plusSeconds(60));
            fixture.given(created("99.00"), writtenOff)
                    .when(pay("40.00", "late-1"))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(PaymentReceived.class, e ->
                            assertThat(e.status()).isEqualTo(InvoiceStatus.UNCOLLECTIBLE)))));
            fixture.given(created("99.00"), writtenOff,
                            paid(3, "40.00", "late-1", "40.00", "59.00", InvoiceStatus.UNCOLLECTIBLE))
                    .when(pay("59.00", "late-2"))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(PaymentReceived.class, e -> {
                        assertThat(e.status()).isEqualTo(InvoiceStatus.PAID);
                        assertThat(e.amountDue().toPlainString()).isEqualTo("0.00");
                    }))));
        }

        @Test
        void anotherStoresOrModesInvoiceLooksMissing() {
            fixture.given(created("99.00"))
                    .when(new MarkUncollectible(id, new StoreId("st_other"), false))
                    .expectException(rejected(InvoiceRejected.NOT_FOUND));
            fixture.given(created("99.00"))
                    .when(new MarkUncollectible(id, STORE, true))
                    .expectException(rejected(InvoiceRejected.NOT_FOUND));
        }
    }

    @Nested
    class Refunds {
        final PaymentReceived fortyPaid = paid(2, "40.00", "ref-1", "40.00", "59.00", InvoiceStatus.PARTIALLY_PAID);

        IssueRefund refund(String amount, String reference, PaymentId payment) {
            return new IssueRefund(id, STORE, false, amount, null, reference, payment, "requested_by_customer");
        }

        RefundIssued refunded(long sequence, String amount, String reference, String total) {
            return new RefundIssued(EventId.generate(), id, STORE, sequence, NOW_MICROS, RefundId.generate(),
                    usd(amount), reference, null, null, usd(total), InvoiceStatus.PARTIALLY_PAID, usd("40.00"),
                    usd("59.00"));
        }

        @Test
        void moneyReceivedIsGivenBackLeavingStatusPaidAndDueAsTheyWere() {
            fixture.given(created("99.00"), fortyPaid)
                    .when(refund("15.50", "rf-1", fortyPaid.paymentId()))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(RefundIssued.class, e -> {
                        assertThat(e.sequence()).isEqualTo(3);
                        assertThat(e.amount().toPlainString()).isEqualTo("15.50");
                        assertThat(e.amountRefunded().toPlainString()).isEqualTo("15.50");
                        assertThat(e.paymentId()).isEqualTo(fortyPaid.paymentId());
                        assertThat(e.reason()).isEqualTo("requested_by_customer");
                        assertThat(e.status()).isEqualTo(InvoiceStatus.PARTIALLY_PAID);
                        assertThat(e.amountPaid().toPlainString()).isEqualTo("40.00");
                        assertThat(e.amountDue().toPlainString()).isEqualTo("59.00");
                    }))))
                    .expectResultMessagePayloadMatching(satisfies(RefundOutcome.class, o -> {
                        assertThat(o.issued()).isTrue();
                        assertThat(o.invoice().amountRefunded()).isEqualTo("15.50");
                        assertThat(o.invoice().refunds()).singleElement()
                                .satisfies(r -> assertThat(r.id()).isEqualTo(o.refundId().value()));
                    }));
        }

        @Test
        void aRepeatedReferenceWithTheSameAmountIsANoOpAndWithAnotherAConflict() {
            fixture.given(created("99.00"), fortyPaid, refunded(3, "10.00", "rf-1", "10.00"))
                    .when(refund("10", "rf-1", null))
                    .expectNoEvents()
                    .expectResultMessagePayloadMatching(satisfies(RefundOutcome.class, o -> {
                        assertThat(o.issued()).isFalse();
                        assertThat(o.invoice().version()).isEqualTo(3);
                    }));
            fixture.given(created("99.00"), fortyPaid, refunded(3, "10.00", "rf-1", "10.00"))
                    .when(refund("11.00", "rf-1", null))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.REFUND_REFERENCE_CONFLICT));
        }

        @Test
        void neverMoreThanWasReceivedAndNotYetRefunded() {
            fixture.given(created("99.00"), fortyPaid, refunded(3, "30.00", "rf-1", "30.00"))
                    .when(refund("10.01", "rf-2", null))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.AMOUNT_TOO_LARGE));
            fixture.given(created("99.00"), fortyPaid, refunded(3, "30.00", "rf-1", "30.00"))
                    .when(refund("10.00", "rf-2", null))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(RefundIssued.class, e ->
                            assertThat(e.amountRefunded().toPlainString()).isEqualTo("40.00")))));
            fixture.given(created("99.00"))
                    .when(refund("0.01", "rf-1", null))
                    .expectException(rejected(InvoiceRejected.AMOUNT_TOO_LARGE));
        }

        @Test
        void aNamedPaymentMustBeThisInvoicesAndCoverTheRefund() {
            var second = paid(3, "50.00", "ref-2", "90.00", "9.00", InvoiceStatus.PARTIALLY_PAID);
            fixture.given(created("99.00"), fortyPaid, second)
                    .when(refund("40.01", "rf-1", fortyPaid.paymentId()))
                    .expectException(rejected(InvoiceRejected.AMOUNT_TOO_LARGE));
            fixture.given(created("99.00"), fortyPaid, second)
                    .when(refund("1.00", "rf-1", PaymentId.generate()))
                    .expectException(rejected(InvoiceRejected.PARAMETER_INVALID));
        }

        @Test
        void inAnyStatusWithMoneyReceivedEvenPastTheDeadline() {
            clock.moveTo(EXPIRES.plusSeconds(60));
            fixture.given(created("99.00"), fortyPaid, expired(3, "40.00", "59.00"))
                    .when(refund("40.00", "rf-1", null))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(RefundIssued.class, e ->
                            assertThat(e.status()).isEqualTo(InvoiceStatus.EXPIRED)))));
        }

        @Test
        void theAmountIsReadInTheInvoicesCurrency() {
            fixture.given(created("99.00"), fortyPaid)
                    .when(refund("1.001", "rf-1", null))
                    .expectException(rejected(InvoiceRejected.PARAMETER_INVALID));
            fixture.given(created("99.00"), fortyPaid)
                    .when(new IssueRefund(id, STORE, false, "1", Currency.getInstance("EUR"), "rf-1", null, null))
                    .expectException(rejected(InvoiceRejected.CURRENCY_MISMATCH));
            fixture.given(created("99.00"), fortyPaid)
                    .when(refund("0", "rf-1", null))
                    .expectException(rejected(InvoiceRejected.PARAMETER_INVALID));
        }

        @Test
        void anotherStoresOrModesInvoiceLooksMissing() {
            fixture.given(created("99.00"), fortyPaid)
                    .when(new IssueRefund(id, STORE, true, "1", null, "rf-1", null, null))
                    .expectException(rejected(InvoiceRejected.NOT_FOUND));
        }
    }

    @Nested
    class CreditNotes {
        IssueCreditNote credit(String amount) {
            return new IssueCreditNote(id, STORE, false, amount, null, CreditNoteReason.ORDER_CHANGE, "memo");
        }

        @Test
        void lowersWhatIsDueAndWhatAPaymentIsComparedWith() {
            fixture.given(created("99.00"), paid(2, "40.00", "ref-1", "40.00", "59.00", InvoiceStatus.PARTIALLY_PAID))
                    .when(credit("9.00"))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(CreditNoteIssued.class, e -> {
                        assertThat(e.sequence()).isEqualTo(3);
                        assertThat(e.amountCredited().toPlainString()).isEqualTo("9.00");
                        assertThat(e.amountDue().toPlainString()).isEqualTo("50.00");
                        assertThat(e.status()).isEqualTo(InvoiceStatus.PARTIALLY_PAID);
                        assertThat(e.reason()).isEqualTo(CreditNoteReason.ORDER_CHANGE);
                    }))))
                    .expectResultMessagePayloadMatching(satisfies(InvoiceView.class, v -> {
                        assertThat(v.amountCredited()).isEqualTo("9.00");
                        assertThat(v.creditNotes()).hasSize(1);
                    }));
            fixture.givenCommands(create("99.00", null), credit("9.00"))
                    .when(pay("95.00", "ref-1"))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(PaymentReceived.class, e -> {
                        assertThat(e.status()).isEqualTo(InvoiceStatus.OVERPAID);
                        assertThat(e.amountDue().toPlainString()).isEqualTo("0.00");
                    }))))
                    .expectResultMessagePayloadMatching(satisfies(PaymentOutcome.class, o ->
                            assertThat(o.invoice().amountOverpaid()).isEqualTo("5.00")));
        }

        @Test
        void creditingAllThatIsDueSettlesTheInvoiceAndFreesItsOrderId() {
            fixture.givenCommands(create("99.00", "order-9"), pay("40.00", "ref-1"))
                    .when(credit("59.00"))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(CreditNoteIssued.class, e -> {
                        assertThat(e.status()).isEqualTo(InvoiceStatus.PAID);
                        assertThat(e.amountDue().toPlainString()).isEqualTo("0.00");
                    }))));
            assertThat(orderIds.claims).doesNotContainKey("order-9");
        }

        @Test
        void neverMoreThanIsDue() {
            fixture.givenCommands(create("99.00", null), pay("40.00", "ref-1"))
                    .when(credit("59.01"))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.AMOUNT_TOO_LARGE));
        }

        @Test
        void onlyOnAnInvoiceStillBeingCollectedBeforeItsDeadline() {
            fixture.given(created("99.00"), paid(2, "99.00", "ref-1", "99.00", "0.00", InvoiceStatus.PAID))
                    .when(credit("1.00"))
                    .expectException(rejected(InvoiceRejected.NOT_CREDITABLE));
            fixture.given(created("99.00"), cancelled(2))
                    .when(credit("1.00"))
                    .expectException(rejected(InvoiceRejected.NOT_CREDITABLE));
            fixture.givenCommands(create("99.00", null), new MarkUncollectible(id, STORE, false))
                    .when(credit("1.00"))
                    .expectException(rejected(InvoiceRejected.NOT_CREDITABLE));
            clock.moveTo(EXPIRES.plusMillis(300));
            fixture.given(created("99.00"))
                    .when(credit("1.00"))
                    .expectNoEvents()
                    .expectException(rejected(InvoiceRejected.NOT_CREDITABLE));
        }
    }

    @Nested
    class Expire {
        @Test
        void anOpenInvoiceExpiresAtItsDeadline() {
            fixture.givenCommands(create("99.00", "order-1"))
                    .whenThenTimeAdvancesTo(EXPIRES.plusSeconds(1))
                    .expectDeadlinesMetMatching(exactSequenceOf(org.hamcrest.Matchers.anything()))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(InvoiceExpired.class, e -> {
                        assertThat(e.sequence()).isEqualTo(2);
                        assertThat(e.status()).isEqualTo(InvoiceStatus.EXPIRED);
                        assertThat(e.amountDue().toPlainString()).isEqualTo("99.00");
                    }))));
            assertThat(orderIds.claims).isEmpty();
        }

        @Test
        void aPartiallyPaidInvoiceExpiresKeepingWhatWasPaid() {
            fixture.givenCommands(create("99.00", null), pay("10.00", "ref-1"))
                    .whenThenTimeAdvancesTo(EXPIRES.plusSeconds(1))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(InvoiceExpired.class, e -> {
                        assertThat(e.sequence()).isEqualTo(3);
                        assertThat(e.amountPaid().toPlainString()).isEqualTo("10.00");
                        assertThat(e.amountDue().toPlainString()).isEqualTo("89.00");
                    }))));
        }

        @Test
        void aCancelledInvoiceNeverExpires() {
            fixture.givenCommands(create("99.00", null), new CancelInvoice(id, STORE, false, null))
                    .whenThenTimeAdvancesTo(EXPIRES.plusSeconds(1))
                    .expectNoEvents();
        }

        @Test
        void aPaidInvoiceNeverExpires() {
            fixture.givenCommands(create("99.00", null), pay("99.00", "ref-1"))
                    .whenThenTimeAdvancesTo(EXPIRES.plusSeconds(1))
                    .expectNoEvents();
        }
    }

    @Nested
    class Overdue {
        /** Today (UTC) as the due date: due through the end of today, long before a 30-day expiry. */
        final java.time.LocalDate today = java.time.LocalDate.ofInstant(NOW, java.time.ZoneOffset.UTC);
        final Instant dueEnd = today.plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        final Instant expiresLater = NOW.plusSeconds(30 * 86_400);

        CreateInvoice createDue(java.time.LocalDate dueDate, Instant expiresAt) {
            return new CreateInvoice(id, STORE, usd("99.00"), List.of(), null, "desc", null, Map.of(),
                    "http://localhost:8080/checkout/" + token.value(), null, null, dueDate, expiresAt, false);
        }

        @Test
        void isScheduledForTheEndOfTheDueDateInUtc() {
            fixture.givenNoPriorActivity()
                    .when(createDue(today, expiresLater))
                    .expectScheduledDeadlineWithName(dueEnd, Invoice.OVERDUE)
                    .expectScheduledDeadlineWithName(expiresLater, Invoice.EXPIRY);
        }

        @Test
        void isNotScheduledWhenTheInvoiceExpiresFirst() {
            fixture.givenNoPriorActivity()
                    .when(createDue(today.plusDays(2), NOW.plusSeconds(3600)))
                    .expectScheduledDeadlineWithName(NOW.plusSeconds(3600), Invoice.EXPIRY)
                    .expectNoScheduledDeadlineWithName(
                            today.plusDays(3).atStartOfDay(java.time.ZoneOffset.UTC).toInstant(), Invoice.OVERDUE);
        }

        @Test
        void isNotScheduledWithoutADueDate() {
            fixture.givenNoPriorActivity()
                    .when(createDue(null, expiresLater))
                    .expectNoScheduledDeadlineWithName(dueEnd, Invoice.OVERDUE);
        }

        @Test
        void aDueDateAlreadyPastIsDueAtOnce() {
            var yesterday = today.minusDays(1);
            fixture.givenNoPriorActivity()
                    .when(createDue(yesterday, expiresLater))
                    .expectScheduledDeadlineWithName(today.atStartOfDay(java.time.ZoneOffset.UTC).toInstant(),
                            Invoice.OVERDUE);
            fixture.givenCommands(createDue(yesterday, expiresLater))
                    .whenTimeElapses(java.time.Duration.ofSeconds(1))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(InvoiceOverdue.class,
                            e -> assertThat(e.dueDate()).isEqualTo(yesterday)))));
        }

        @Test
        void anOpenInvoiceGoesOverdueWhenItsDueDateEndsKeepingItsStatus() {
            fixture.givenCommands(createDue(today, expiresLater))
                    .whenThenTimeAdvancesTo(dueEnd.plusSeconds(1))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(InvoiceOverdue.class, e -> {
                        assertThat(e.sequence()).isEqualTo(2);
                        assertThat(e.status()).isEqualTo(InvoiceStatus.OPEN);
                        assertThat(e.dueDate()).isEqualTo(today);
                        assertThat(e.amountDue().toPlainString()).isEqualTo("99.00");
                    }))));
        }

        InvoiceOverdue wentOverdue(long sequence, String paid, String due, InvoiceStatus status) {
            return new InvoiceOverdue(EventId.generate(), id, STORE, sequence, NOW_MICROS, today, status, usd(paid),
                    usd(due));
        }

        @Test
        void aPartiallyPaidInvoiceGoesOverdueKeepingWhatWasPaid() {
            fixture.givenCommands(createDue(today, expiresLater), pay("10.00", "ref-1"))
                    .whenThenTimeAdvancesTo(dueEnd.plusSeconds(1))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(InvoiceOverdue.class, e -> {
                        assertThat(e.sequence()).isEqualTo(3);
                        assertThat(e.status()).isEqualTo(InvoiceStatus.PARTIALLY_PAID);
                        assertThat(e.amountPaid().toPlainString()).isEqualTo("10.00");
                        assertThat(e.amountDue().toPlainString()).isEqualTo("89.00");
                    }))));
        }

        @Test
        void anOverdueInvoiceCanStillBePaid() {
            fixture.givenCommands(createDue(today, expiresLater), pay("10.00", "ref-1"))
                    .andGiven(wentOverdue(3, "10.00", "89.00", InvoiceStatus.PARTIALLY_PAID))
                    .when(pay("89.00", "ref-2"))
                    .expectEventsMatching(exactSequenceOf(messageWithPayload(satisfies(PaymentReceived.class, e -> {
                        assertThat(e.sequence()).isEqualTo(4);
                        assertThat(e.status()).isEqualTo(InvoiceStatus.PAID);
                    }))));
        }

        @Test
        void aSettledInvoiceNeverGoesOverdue() {
            fixture.givenCommands(createDue(today, expiresLater), pay("99.00", "ref-1"))
                    .whenThenTimeAdvancesTo(dueEnd.plusSeconds(1))
                    .expectNoEvents();
        }

        @Test
        void aCancelledInvoiceNeverGoesOverdue() {
            fixture.givenCommands(createDue(today, expiresLater), new CancelInvoice(id, STORE, false, null))
                    .whenThenTimeAdvancesTo(dueEnd.plusSeconds(1))
                    .expectNoEvents();
        }

        /** The deadline run again (its instance died before marking it done) finds the invoice overdue already. */
        @Test
        void aDeadlineFiringOnAnInvoiceAlreadyOverdueAppendsNothing() {
            fixture.givenCommands(createDue(today, expiresLater))
                    .andGiven(wentOverdue(2, "0", "99.00", InvoiceStatus.OPEN))
                    .whenThenTimeAdvancesTo(dueEnd.plusSeconds(1))
                    .expectDeadlinesMetMatching(exactSequenceOf(org.hamcrest.Matchers.anything()))
                    .expectNoEvents();
        }
    }

    /** Claims kept in memory; the JDBC implementation is exercised by the integration tests. */
    static final class FakeExternalOrderIds implements ExternalOrderIds {
        final Map<String, InvoiceId> claims = new HashMap<>();

        @Override
        public boolean claim(StoreId store, boolean livemode, String externalOrderId, InvoiceId invoice) {
            return claims.putIfAbsent(externalOrderId, invoice) == null;
        }

        @Override
        public void release(StoreId store, boolean livemode, String externalOrderId, InvoiceId invoice) {
            claims.remove(externalOrderId, invoice);
        }
    }

    static final class FakeCheckoutTokens implements CheckoutTokens {
        final Map<CheckoutToken, Owner> owners = new HashMap<>();

        @Override
        public void record(CheckoutToken token, Owner owner) {
            owners.put(token, owner);
        }

        @Override
        public java.util.Optional<Owner> find(CheckoutToken token) {
            return java.util.Optional.ofNullable(owners.get(token));
        }
    }
}
