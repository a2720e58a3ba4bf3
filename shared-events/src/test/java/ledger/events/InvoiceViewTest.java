package ledger.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InvoiceViewTest {

    static final Currency USD = Currency.getInstance("USD");
    static final InvoiceId INVOICE = InvoiceId.generate();
    static final StoreId STORE = StoreId.generate();
    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    static InvoiceCreated created(Map<String, String> metadata) {
        return new InvoiceCreated(EventId.generate(), INVOICE, STORE, 1, T0, null, Money.parse("100", USD), List.of(),
                "o-1", null, null,
                metadata, "http://localhost/checkout/" + INVOICE, null, null, null, T0.plusSeconds(3600), false,
                InvoiceStatus.OPEN, Money.zero(USD), Money.parse("100", USD));
    }

    static PaymentReceived payment(long sequence, String amount, String paid, String due, InvoiceStatus status) {
        return new PaymentReceived(EventId.generate(), INVOICE, STORE, sequence, T0.plusSeconds(sequence),
                PaymentId.generate(), Money.parse(amount, USD), "ref-" + sequence, null, T0, status,
                Money.parse(paid, USD), Money.parse(due, USD));
    }

    static CreditNoteIssued credit(long sequence, String amount, String credited, String paid, String due,
                                   InvoiceStatus status) {
        return new CreditNoteIssued(EventId.generate(), INVOICE, STORE, sequence, T0.plusSeconds(sequence),
                CreditNoteId.generate(), Money.parse(amount, USD), CreditNoteReason.ORDER_CHANGE, "memo " + sequence,
                Money.parse(credited, USD), status, Money.parse(paid, USD), Money.parse(due, USD));
    }

    static RefundIssued refund(long sequence, String amount, String refunded, String paid, String due,
                               InvoiceStatus status) {
        return new RefundIssued(EventId.generate(), INVOICE, STORE, sequence, T0.plusSeconds(sequence),
                RefundId.generate(), Money.parse(amount, USD), "re-ref-" + sequence, null, null,
                Money.parse(refunded, USD), status, Money.parse(paid, USD), Money.parse(due, USD));
    }

    @Test
    void aCreditNoteLowersWhatIsAskedForSoTheRestOverpaysFromThereOn() {
        var view = InvoiceView.replay(List.of(created(Map.of()),
                credit(2, "30", "30", "0", "70", InvoiceStatus.OPEN),
                payment(3, "80", "80", "0", InvoiceStatus.OVERPAID)));
        assertThat(view.amount()).isEqualTo("100.00");
        assertThat(view.amountCredited()).isEqualTo("30.00");
        assertThat(view.amountOverpaid()).isEqualTo("10.00");
        assertThat(view.creditNotes()).singleElement().satisfies(n -> {
            assertThat(n.amount()).isEqualTo("30.00");
            assertThat(n.object()).isEqualTo("credit_note");
            assertThat(n.reason()).isEqualTo(CreditNoteReason.ORDER_CHANGE);
            assertThat(n.memo()).isEqualTo("memo 2");
        });
    }

    @Test
    void aCreditNoteThatLeavesNothingDueSettlesTheInvoice() {
        var view = InvoiceView.replay(List.of(created(Map.of()),
                payment(2, "60", "60", "40", InvoiceStatus.PARTIALLY_PAID),
                credit(3, "40", "40", "60", "0", InvoiceStatus.PAID)));
        assertThat(view.status()).isEqualTo(InvoiceStatus.PAID);
        assertThat(view.paidAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(view.amountOverpaid()).isEqualTo("0.00");
    }

    @Test
    void refundsAreListedAndSummedWithoutChangingWhatWasPaidOrIsDue() {
        var paid = InvoiceView.replay(List.of(created(Map.of()), payment(2, "100", "100", "0", InvoiceStatus.PAID)));
        var view = paid.apply(refund(3, "25", "25", "100", "0", InvoiceStatus.PAID))
                .apply(refund(4, "5", "30", "100", "0", InvoiceStatus.PAID));
        assertThat(view.amountRefunded()).isEqualTo("30.00");
        assertThat(view.refunds()).extracting(InvoiceView.Refund::amount).containsExactly("25.00", "5.00");
        assertThat(view.amountPaid()).isEqualTo("100.00");
        assertThat(view.amountDue()).isEqualTo("0.00");
        assertThat(view.paidAt()).isEqualTo(paid.paidAt());
        assertThat(paid.amountRefunded()).isEqualTo("0.00");
    }

    /** As query-service and webhook-dispatcher stored views before corrections: the consumers go on from them. */
    @Test
    void aViewStoredBeforeCorrectionsReadsAsOneWithNoneAndMovesOn() throws Exception {
        var view = InvoiceView.replay(List.of(created(Map.of()),
                payment(2, "60", "60", "40", InvoiceStatus.PARTIALLY_PAID)));
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) LedgerJson.mapper().valueToTree(view);
        json.remove(List.of("amount_credited", "amount_refunded", "refunds", "credit_notes"));

        var stored = LedgerJson.mapper().treeToValue(json, InvoiceView.class);

        assertThat(stored).isEqualTo(view);
        assertThat(stored.apply(refund(3, "10", "10", "60", "40", InvoiceStatus.PARTIALLY_PAID)).amountRefunded())
                .isEqualTo("10.00");
    }

    @Test
    void createdInvoiceShowsNothingPaidAndTheWholeAmountDue() {
        var view = InvoiceView.created(created(Map.of()));
        assertThat(view.amount()).isEqualTo("100.00");
        assertThat(view.amountPaid()).isEqualTo("0.00");
        assertThat(view.amountDue()).isEqualTo("100.00");
        assertThat(view.amountOverpaid()).isEqualTo("0.00");
        assertThat(view.status()).isEqualTo(InvoiceStatus.OPEN);
        assertThat(view.version()).isEqualTo(1);
    }

    @Test
    void theInvoiceNumberIsShownFromCreationOn() {
        var c = created(Map.of());
        var numbered = new InvoiceCreated(c.eventId(), c.invoiceId(), c.storeId(), 1, c.occurredAt(), "INV-000007",
                c.amount(), List.of(), c.externalOrderId(), null, null, Map.of(), c.checkoutUrl(), null, null, null,
                c.expiresAt(),
                false, c.status(), c.amountPaid(), c.amountDue());
        var view = InvoiceView.created(numbered).apply(payment(2, "10", "10", "90", InvoiceStatus.PARTIALLY_PAID));
        assertThat(view.number()).isEqualTo("INV-000007");
        assertThat(InvoiceView.created(c).number()).isNull();
    }

    @Test
    void paymentsAccumulateAndOverpaymentIsShown() {
        var view = InvoiceView.replay(List.of(created(Map.of()),
                payment(2, "60", "60", "40", InvoiceStatus.PARTIALLY_PAID),
                payment(3, "50", "110", "0", InvoiceStatus.OVERPAID)));
        assertThat(view.payments()).extracting(InvoiceView.Payment::amount).containsExactly("60.00", "50.00");
        assertThat(view.amountPaid()).isEqualTo("110.00");
        assertThat(view.amountDue()).isEqualTo("0.00");
        assertThat(view.amountOverpaid()).isEqualTo("10.00");
        assertThat(view.paidAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(view.version()).isEqualTo(3);
    }

    static InvoiceOverdue overdue(long sequence, String paid, String due, InvoiceStatus status) {
        return new InvoiceOverdue(EventId.generate(), INVOICE, STORE, sequence, T0.plusSeconds(sequence),
                java.time.LocalDate.parse("2026-11-20"), status, Money.parse(paid, USD), Money.parse(due, USD));
    }

    @Test
    void anOverdueInvoiceIsOverdueUntilSettledAndKeepsWhenItWentOverdue() {
        var open = InvoiceView.created(created(Map.of()));
        assertThat(open.overdue()).isFalse();
        assertThat(open.overdueAt()).isNull();

        var overdue = open.apply(overdue(2, "0", "100", InvoiceStatus.OPEN));
        assertThat(overdue.overdue()).isTrue();
        assertThat(overdue.overdueAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(overdue.status()).isEqualTo(InvoiceStatus.OPEN);

        var partly = overdue.apply(payment(3, "60", "60", "40", InvoiceStatus.PARTIALLY_PAID));
        assertThat(partly.overdue()).isTrue();

        var settled = partly.apply(payment(4, "40", "100", "0", InvoiceStatus.PAID));
        assertThat(settled.overdue()).isFalse();
        assertThat(settled.overdueAt()).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void overdueIsOnTheWireNextToOverdueAt() throws Exception {
        var json = LedgerJson.mapper().readTree(LedgerJson.mapper().writeValueAsString(
                InvoiceView.created(created(Map.of())).apply(overdue(2, "0", "100", InvoiceStatus.OPEN))));
        assertThat(json.get("overdue").asBoolean()).isTrue();
        assertThat(json.get("overdue_at").asText()).isEqualTo("2026-11-21T10:00:02Z");
    }

    /** Views stored before overdue existed read back as not overdue. */
    @Test
    void aViewStoredWithoutTheOverdueFieldsReadsAsNotOverdue() throws Exception {
        var mapper = LedgerJson.mapper();
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.valueToTree(
                InvoiceView.created(created(Map.of())));
        node.remove("overdue");
        node.remove("overdue_at");
        var read = mapper.treeToValue(node, InvoiceView.class);
        assertThat(read.overdue()).isFalse();
        assertThat(read.overdueAt()).isNull();
    }

    @Test
    void aCancellationShowsItsReasonAndNoReasonShowsNull() {
        var open = InvoiceView.created(created(Map.of()));
        assertThat(open.cancellationReason()).isNull();
        var cancelled = open.apply(cancelled("duplicate order"));
        assertThat(cancelled.cancellationReason()).isEqualTo("duplicate order");
        assertThat(cancelled.cancelledAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(open.apply(cancelled(null)).cancellationReason()).isNull();
    }

    @Test
    void theReasonIsOnTheWireAsCancellationReason() throws Exception {
        var json = LedgerJson.mapper().readTree(LedgerJson.mapper().writeValueAsString(
                InvoiceView.created(created(Map.of())).apply(cancelled("duplicate order"))));
        assertThat(json.get("cancellation_reason").asText()).isEqualTo("duplicate order");
        assertThat(LedgerJson.mapper().treeToValue(json, InvoiceView.class).cancellationReason())
                .isEqualTo("duplicate order");
    }

    static InvoiceCancelled cancelled(String reason) {
        return new InvoiceCancelled(EventId.generate(), INVOICE, STORE, 2, T0.plusSeconds(2), reason,
                InvoiceStatus.CANCELLED, Money.zero(USD), Money.parse("100", USD));
    }

    @Test
    void applyingAnEventTwiceOrAnOlderEventChangesNothing() {
        var pay = payment(2, "60", "60", "40", InvoiceStatus.PARTIALLY_PAID);
        var once = InvoiceView.created(created(Map.of())).apply(pay);
        assertThat(once.apply(pay)).isEqualTo(once);
    }

    @Test
    void readModelsCanDropSecretMetadataFromTheEventItself() {
        var event = created(Map.of("order", "1", "api_key", "x")).withVisibleMetadataOnly();
        assertThat(event.metadata()).containsOnlyKeys("order");
        assertThat(InvoiceView.created(event)).isEqualTo(InvoiceView.created(created(Map.of("order", "1", "api_key", "x"))));
    }

    @Test
    void secretLookingMetadataIsHidden() {
        var view = InvoiceView.created(created(Map.of("order", "1", "api_key", "x", "Password", "y",
                "card_number", "z", "customer_token", "t")));
        assertThat(view.metadata()).containsOnlyKeys("order");
    }

    @Test
    void foldsTheWholeGapFreeHistory() {
        var view = InvoiceView.foldGapFree(List.of(created(Map.of()),
                payment(2, "60", "60", "40", InvoiceStatus.PARTIALLY_PAID))).orElseThrow();
        assertThat(view.version()).isEqualTo(2);
        assertThat(view.amountDue()).isEqualTo("40.00");
    }

    @Test
    void stopsAtAGapSoNoVersionIsClaimedWithoutItsPredecessors() {
        var view = InvoiceView.foldGapFree(List.of(created(Map.of()),
                payment(3, "10", "70", "30", InvoiceStatus.PARTIALLY_PAID))).orElseThrow();
        assertThat(view.version()).isEqualTo(1);
        assertThat(view.payments()).isEmpty();
    }

    @Test
    void nothingWithoutTheCreation() {
        assertThat(InvoiceView.foldGapFree(List.of(payment(2, "60", "60", "40", InvoiceStatus.PARTIALLY_PAID))))
                .isEmpty();
        assertThat(InvoiceView.foldGapFree(List.of(cancelled("first event but no creation")))).isEmpty();
        assertThat(InvoiceView.foldGapFree(List.of())).isEmpty();
    }

    @Test
    void advancingAStoredViewSkipsWhatItHoldsAndReportsEachStep() {
        var stored = InvoiceView.created(created(Map.of()));
        var second = payment(2, "60", "60", "40", InvoiceStatus.PARTIALLY_PAID);
        var third = payment(3, "40", "100", "0", InvoiceStatus.PAID);
        var steps = new java.util.ArrayList<Long>();
        var view = InvoiceView.advance(stored, List.of(created(Map.of()), second, third),
                (event, after) -> steps.add(after.version()));
        assertThat(view.version()).isEqualTo(3);
        assertThat(steps).containsExactly(2L, 3L);
        assertThat(InvoiceView.advance(view, List.of(second), (event, after) -> steps.add(0L))).isSameAs(view);
    }
}
