package ledger.command.invoice;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Currency;
import java.util.HashMap;
import java.util.Map;
import ledger.events.CheckoutToken;
import ledger.events.CreditNoteId;
import ledger.events.CreditNoteIssued;
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
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * The invoice, event-sourced: command handlers decide and {@code apply} events; event-sourcing
 * handlers only assign state. The aggregate's per-invoice sequence is also each event's
 * {@code sequence}, and the unique (invoice, sequence) row in the event store is what makes two
 * concurrent writers of the same invoice collide instead of overwriting each other.
 *
 * <p>Expiry is a durable Axon deadline (db-scheduler): it survives restarts and fires on one instance. So is
 * going overdue at the end of {@code due_date} (UTC), scheduled only when that comes before the expiry.
 */
@Aggregate
public class Invoice {

    static final String EXPIRY = "invoice-expiry";
    static final String OVERDUE = "invoice-overdue";

    @AggregateIdentifier
    private InvoiceId id;
    private StoreId storeId;
    private boolean livemode;
    private Money amount;
    private Money paid;
    /** Lowered from what is asked for by credit notes: what is due is max(amount − credited − paid, 0). */
    private Money credited;
    /** Given back of {@link #paid}; never more than it. */
    private Money refunded;
    private InvoiceStatus status;
    private long sequence;
    private String externalOrderId;
    private Instant expiresAt;
    /** The invoice as the API shows it, so a payment or cancellation answers without reading the events back. */
    private InvoiceView view;
    /** Payer references seen so far, for idempotent payments. */
    private final Map<String, RecordedPayment> payments = new HashMap<>();
    /** Refund references seen so far, for idempotent refunds. */
    private final Map<String, RecordedRefund> refunds = new HashMap<>();
    /** What was refunded of each payment named by a refund. */
    private final Map<PaymentId, Money> refundedOfPayment = new HashMap<>();

    private record RecordedPayment(PaymentId id, Money amount) {
    }

    private record RecordedRefund(RefundId id, Money amount) {
    }

    protected Invoice() {
        // for Axon: rebuilt from events
    }

    /** Returns the event so the caller can answer with the invoice without reading it back. */
    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.ALWAYS)
    InvoiceCreated handle(CreateInvoice command, Clock clock, DeadlineManager deadlines,
                          ExternalOrderIds externalOrderIds, CheckoutTokens checkoutTokens) {
        if (command.externalOrderId() != null
                && !externalOrderIds.claim(command.storeId(), command.livemode(), command.externalOrderId(),
                        command.invoiceId())) {
            throw new InvoiceRejected(InvoiceRejected.DUPLICATE_EXTERNAL_ORDER_ID,
                    "An open invoice with external_order_id " + command.externalOrderId() + " already exists",
                    "external_order_id");
        }
        checkoutTokens.record(CheckoutToken.ofCheckoutUrl(command.checkoutUrl()).orElseThrow(),
                new CheckoutTokens.Owner(command.invoiceId(), command.storeId(), command.livemode()));
        deadlines.schedule(command.expiresAt(), EXPIRY, new ExpiryDue(command.invoiceId()));
        if (command.dueDate() != null && endOf(command.dueDate()).isBefore(command.expiresAt())) {
            // a due date already past (a backdated invoice) is due at once: the scheduler fires it on its next poll
            deadlines.schedule(endOf(command.dueDate()), OVERDUE, new OverdueDue(command.invoiceId()));
        }
        // number: given by the event store as this create commits (InvoiceNumbers), so a refused create takes none
        var created = new InvoiceCreated(EventId.generate(), command.invoiceId(), command.storeId(), 1, now(clock),
                null, command.amount(), command.lineItems(), command.externalOrderId(), command.description(),
                command.customerEmail(), command.metadata(), command.checkoutUrl(), command.callbackUrl(),
                command.returnUrl(), command.dueDate(), command.expiresAt(), command.livemode(), InvoiceStatus.OPEN,
                Money.zero(command.amount().currency()), command.amount());
        apply(created);
        return created;
    }

    @CommandHandler
    PaymentOutcome handle(PayInvoice command, Clock clock, ExternalOrderIds externalOrderIds) {
        requireCaller(command.storeId(), command.livemode());
        if (!command.amount().currency().equals(amount.currency())) {
            throw new InvoiceRejected(InvoiceRejected.CURRENCY_MISMATCH,
                    "The invoice is in " + amount.currency() + ", the payment in " + command.amount().currency(),
                    "currency");
        }
        var earlier = payments.get(command.reference());
        if (earlier != null) {
            if (earlier.amount().equals(command.amount())) {
                return new PaymentOutcome(earlier.id(), false, view);
            }
            throw new InvoiceRejected(InvoiceRejected.REFERENCE_CONFLICT, "Payment reference " + command.reference()
                    + " was already used with amount " + earlier.amount().toPlainString(), "reference");
        }
        if (!status.isPayable()) {
            throw new InvoiceRejected(InvoiceRejected.NOT_PAYABLE, "The invoice is " + status.wireName(), null);
        }
        if (status.isCollecting() && isPastDeadline(clock)) { // an uncollectible invoice no longer expires
            throw new InvoiceRejected(InvoiceRejected.NOT_PAYABLE, "The invoice expired at " + expiresAt, null);
        }
        var newPaid = paid.plus(command.amount());
        int vsAmount = newPaid.compareTo(asked());
        var owing = status == InvoiceStatus.UNCOLLECTIBLE ? InvoiceStatus.UNCOLLECTIBLE : InvoiceStatus.PARTIALLY_PAID;
        var newStatus = vsAmount < 0 ? owing : vsAmount == 0 ? InvoiceStatus.PAID : InvoiceStatus.OVERPAID;
        var paymentId = PaymentId.generate();
        Instant occurredAt = now(clock);
        apply(new PaymentReceived(EventId.generate(), id, storeId, sequence + 1, occurredAt, paymentId,
                command.amount(), command.reference(), command.method(),
                command.receivedAt() == null ? occurredAt : command.receivedAt(), newStatus, newPaid,
                asked().minusFloorZero(newPaid)));
        if (newStatus.isFinal()) {
            release(externalOrderIds);
        }
        return new PaymentOutcome(paymentId, true, view); // apply() has already folded the payment into the view
    }

    /** Returns the cancelled invoice (cancelling it again changes nothing and answers the same). */
    @CommandHandler
    InvoiceView handle(CancelInvoice command, Clock clock, ExternalOrderIds externalOrderIds) {
        requireCaller(command.storeId(), command.livemode());
        if (status == InvoiceStatus.CANCELLED) {
            return view;
        }
        if (status != InvoiceStatus.OPEN || !paid.isZero()) {
            throw new InvoiceRejected(InvoiceRejected.NOT_CANCELLABLE,
                    "Only an open invoice with nothing paid can be cancelled; this one is " + status.wireName(), null);
        }
        if (isPastDeadline(clock)) {
            throw new InvoiceRejected(InvoiceRejected.NOT_CANCELLABLE, "The invoice expired at " + expiresAt, null);
        }
        apply(new InvoiceCancelled(EventId.generate(), id, storeId, sequence + 1, now(clock), command.reason(),
                InvoiceStatus.CANCELLED, paid, due()));
        release(externalOrderIds);
        return view;
    }

    /**
     * Writes the invoice off (SPEC §4.5): it leaves collection, so it no longer expires or goes overdue, and a later
     * payment still settles it. Marking it again changes nothing and answers the same.
     */
    @CommandHandler
    InvoiceView handle(MarkUncollectible command, Clock clock) {
        requireCaller(command.storeId(), command.livemode());
        if (status == InvoiceStatus.UNCOLLECTIBLE) {
            return view;
        }
        if (!status.isCollecting()) {
            throw new InvoiceRejected(InvoiceRejected.NOT_MARKABLE_UNCOLLECTIBLE,
                    "Only an open or partially paid invoice can be marked uncollectible; this one is "
                            + status.wireName(), null);
        }
        if (isPastDeadline(clock)) {
            throw new InvoiceRejected(InvoiceRejected.NOT_MARKABLE_UNCOLLECTIBLE, "The invoice expired at " + expiresAt,
                    null);
        }
        apply(new InvoiceMarkedUncollectible(EventId.generate(), id, storeId, sequence + 1, now(clock),
                InvoiceStatus.UNCOLLECTIBLE, paid, due()));
        return view;
    }

    /**
     * Gives back money received (SPEC §4.5), in any status, while what was received and not yet refunded covers it
     * (and, when the refund names a payment, what is left of that payment). A reference seen before with the same
     * amount is a no-op answering the earlier refund; with another amount, a conflict. Status and what is due stay.
     */
    @CommandHandler
    RefundOutcome handle(IssueRefund command, Clock clock) {
        requireCaller(command.storeId(), command.livemode());
        var refund = amountOf(command.amount(), command.currency());
        var earlier = refunds.get(command.reference());
        if (earlier != null) {
            if (earlier.amount().equals(refund)) {
                return new RefundOutcome(earlier.id(), false, view);
            }
            throw new InvoiceRejected(InvoiceRejected.REFUND_REFERENCE_CONFLICT, "Refund reference "
                    + command.reference() + " was already used with amount " + earlier.amount().toPlainString(),
                    "reference");
        }
        if (command.payment() != null) {
            var received = payments.values().stream().filter(p -> p.id().equals(command.payment())).findFirst()
                    .orElseThrow(() -> new InvoiceRejected(InvoiceRejected.PARAMETER_INVALID,
                            "No payment " + command.payment() + " on this invoice", "payment")).amount();
            requireCovered(refund, received.minusFloorZero(refundedOfPayment.getOrDefault(command.payment(),
                    Money.zero(amount.currency()))), "payment " + command.payment());
        }
        requireCovered(refund, paid.minusFloorZero(refunded), "this invoice");
        var refundId = RefundId.generate();
        apply(new RefundIssued(EventId.generate(), id, storeId, sequence + 1, now(clock), refundId, refund,
                command.reference(), command.payment(), command.reason(), refunded.plus(refund), status, paid, due()));
        return new RefundOutcome(refundId, true, view);
    }

    /**
     * Lowers what an open or partially paid invoice asks for, by at most what is due (SPEC §4.5); with nothing left
     * due it is {@code paid}. Like a payment, only before the invoice's deadline.
     */
    @CommandHandler
    InvoiceView handle(IssueCreditNote command, Clock clock, ExternalOrderIds externalOrderIds) {
        requireCaller(command.storeId(), command.livemode());
        var credit = amountOf(command.amount(), command.currency());
        if (!status.isCollecting()) {
            throw new InvoiceRejected(InvoiceRejected.NOT_CREDITABLE,
                    "Only an open or partially paid invoice can be credited; this one is " + status.wireName(), null);
        }
        if (isPastDeadline(clock)) {
            throw new InvoiceRejected(InvoiceRejected.NOT_CREDITABLE, "The invoice expired at " + expiresAt, null);
        }
        if (credit.compareTo(due()) > 0) {
            throw new InvoiceRejected(InvoiceRejected.AMOUNT_TOO_LARGE, "A credit note may be at most the amount due, "
                    + due().toPlainString(), "amount");
        }
        var newCredited = credited.plus(credit);
        var newDue = due().minusFloorZero(credit);
        var newStatus = newDue.isZero() ? InvoiceStatus.PAID : status;
        apply(new CreditNoteIssued(EventId.generate(), id, storeId, sequence + 1, now(clock), CreditNoteId.generate(),
                credit, command.reason(), command.memo(), newCredited, newStatus, paid, newDue));
        if (newStatus.isFinal()) {
            release(externalOrderIds);
        }
        return view;
    }

    /**
     * Fires at {@code expires_at}; a settled or cancelled invoice has nothing left to expire. Settling
     * does not cancel the deadline: Axon's db-scheduler deadline manager cancels by scanning every
     * scheduled deadline, which grows with the open invoices, while a no-op firing costs one load.
     */
    @DeadlineHandler(deadlineName = EXPIRY)
    void expire(ExpiryDue due, Clock clock, ExternalOrderIds externalOrderIds) {
        if (status.isCollecting()) {
            apply(new InvoiceExpired(EventId.generate(), id, storeId, sequence + 1, now(clock), InvoiceStatus.EXPIRED,
                    paid, due()));
            release(externalOrderIds);
        }
    }

    /**
     * Fires when {@code due_date} has ended; only an invoice still open or partially paid goes overdue, once:
     * a deadline run again (its instance died before marking it done) finds it overdue already.
     */
    @DeadlineHandler(deadlineName = OVERDUE)
    void goOverdue(OverdueDue due, Clock clock) {
        if (status.isCollecting() && view.overdueAt() == null) {
            apply(new InvoiceOverdue(EventId.generate(), id, storeId, sequence + 1, now(clock), view.dueDate(), status,
                    paid, due()));
        }
    }

    /** What the invoice asks for after its credit notes. */
    private Money asked() {
        return amount.minusFloorZero(credited);
    }

    private Money due() {
        return asked().minusFloorZero(paid);
    }

    /** A correction's amount, read in the invoice's currency (its decimals are the invoice currency's). */
    private Money amountOf(String value, Currency currency) {
        if (currency != null && !currency.equals(amount.currency())) {
            throw new InvoiceRejected(InvoiceRejected.CURRENCY_MISMATCH,
                    "The invoice is in " + amount.currency() + ", not " + currency, "currency");
        }
        try {
            var money = Money.parse(value, amount.currency());
            if (money.isZero()) {
                throw new InvoiceRejected(InvoiceRejected.PARAMETER_INVALID, "amount must be greater than zero",
                        "amount");
            }
            return money;
        } catch (Money.MoneyFormatException e) {
            throw new InvoiceRejected(InvoiceRejected.PARAMETER_INVALID, "amount " + e.getMessage(), "amount");
        }
    }

    private static void requireCovered(Money refund, Money available, String of) {
        if (refund.compareTo(available) > 0) {
            throw new InvoiceRejected(InvoiceRejected.AMOUNT_TOO_LARGE, "A refund may be at most what was received"
                    + " and not yet refunded on " + of + ", " + available.toPlainString(), "amount");
        }
    }

    /** An invoice is due through the whole of its due date, in UTC (as the aging report counts). */
    static Instant endOf(LocalDate dueDate) {
        return dueDate.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /**
     * The deadline decides, not whether {@link InvoiceExpired} was appended yet (SPEC §4.2): the durable
     * deadline fires a moment after {@code expires_at}, and no money may be taken in between.
     */
    private boolean isPastDeadline(Clock clock) {
        return !clock.instant().isBefore(expiresAt);
    }

    private void release(ExternalOrderIds externalOrderIds) {
        if (externalOrderId != null) {
            externalOrderIds.release(storeId, livemode, externalOrderId, id);
        }
    }

    /**
     * Another store's invoice, and another mode's (test and live are separate ledgers, SPEC §3), is
     * reported exactly like a missing one.
     */
    private void requireCaller(StoreId callerStore, boolean callerLivemode) {
        if (!storeId.equals(callerStore) || livemode != callerLivemode) {
            throw new InvoiceRejected(InvoiceRejected.NOT_FOUND, "No such invoice: " + id, "id");
        }
    }

    @EventSourcingHandler
    void on(InvoiceCreated e) {
        id = e.invoiceId();
        storeId = e.storeId();
        livemode = e.livemode();
        amount = e.amount();
        paid = e.amountPaid();
        credited = Money.zero(e.amount().currency());
        refunded = credited;
        status = e.status();
        sequence = e.sequence();
        externalOrderId = e.externalOrderId();
        expiresAt = e.expiresAt();
        view = InvoiceView.created(e);
    }

    @EventSourcingHandler
    void on(PaymentReceived e) {
        payments.put(e.reference(), new RecordedPayment(e.paymentId(), e.amount()));
        paid = e.amountPaid();
        status = e.status();
        sequence = e.sequence();
        view = view.apply(e);
    }

    @EventSourcingHandler
    void on(InvoiceCancelled e) {
        status = e.status();
        sequence = e.sequence();
        view = view.apply(e);
    }

    @EventSourcingHandler
    void on(InvoiceExpired e) {
        status = e.status();
        sequence = e.sequence();
        view = view.apply(e);
    }

    @EventSourcingHandler
    void on(InvoiceMarkedUncollectible e) {
        status = e.status();
        sequence = e.sequence();
        view = view.apply(e);
    }

    @EventSourcingHandler
    void on(RefundIssued e) {
        refunds.put(e.reference(), new RecordedRefund(e.refundId(), e.amount()));
        if (e.paymentId() != null) {
            refundedOfPayment.merge(e.paymentId(), e.amount(), Money::plus);
        }
        refunded = e.amountRefunded();
        sequence = e.sequence();
        view = view.apply(e);
    }

    @EventSourcingHandler
    void on(CreditNoteIssued e) {
        credited = e.amountCredited();
        status = e.status();
        sequence = e.sequence();
        view = view.apply(e);
    }

    @EventSourcingHandler
    void on(InvoiceOverdue e) {
        sequence = e.sequence();
        view = view.apply(e);
    }

    /** Event times are kept at microsecond precision, the precision PostgreSQL stores. */
    private static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
