package ledger.query;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import ledger.events.CheckoutToken;
import ledger.events.CreditNoteId;
import ledger.events.CreditNoteIssued;
import ledger.events.CreditNoteReason;
import ledger.events.EventId;
import ledger.events.InvoiceCancelled;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceExpired;
import ledger.events.InvoiceId;
import ledger.events.InvoiceOverdue;
import ledger.events.InvoiceStatus;
import ledger.events.LedgerEvent;
import ledger.events.LineItem;
import ledger.events.Money;
import ledger.events.PaymentId;
import ledger.events.PaymentReceived;
import ledger.events.RefundId;
import ledger.events.RefundIssued;
import ledger.events.StoreId;

/**
 * Writes one invoice's events the way command-service's aggregate would: consecutive sequences and
 * the resulting status and totals on each event. Tests choose every timestamp.
 */
public final class InvoiceHistory {

    private final InvoiceId id = InvoiceId.generate();
    private final StoreId store;
    private final boolean livemode;
    private final Money amount;
    private Money paid;
    private Money credited;
    private Money refunded;
    private InvoiceStatus status = InvoiceStatus.OPEN;
    private long sequence;
    private final List<LedgerEvent> events = new ArrayList<>();
    /** Before the hosted page (issue 12) the checkout URL ended in the invoice id; see {@link #withCheckoutToken}. */
    private String checkoutUrl = "http://localhost:8080/checkout/" + id;
    private String callbackUrl;
    private List<LineItem> lines = List.of();
    private String number;

    private InvoiceHistory(StoreId store, boolean livemode, Money amount) {
        this.store = store;
        this.livemode = livemode;
        this.amount = amount;
        this.paid = Money.zero(amount.currency());
        this.credited = paid;
        this.refunded = paid;
    }

    /** A test-mode invoice. */
    public static InvoiceHistory of(StoreId store, String amount, String currency) {
        return new InvoiceHistory(store, false, Money.parse(amount, Currency.getInstance(currency)));
    }

    /** A test-mode invoice of these lines; its amount is their sum. */
    public static InvoiceHistory ofLines(StoreId store, LineItem... lines) {
        var history = new InvoiceHistory(store, false, LineItem.totalOf(List.of(lines)));
        history.lines = List.of(lines);
        return history;
    }

    public static InvoiceHistory live(StoreId store, String amount, String currency) {
        return new InvoiceHistory(store, true, Money.parse(amount, Currency.getInstance(currency)));
    }

    public InvoiceCreated create(Instant at, LocalDate dueDate, Instant expiresAt) {
        return create(at, dueDate, expiresAt, "order-" + id.value().substring(4, 12), null);
    }

    public InvoiceCreated create(Instant at, LocalDate dueDate, Instant expiresAt, String externalOrderId,
                                 String description) {
        var e = new InvoiceCreated(EventId.generate(), id, store, ++sequence, at, number, amount, lines, externalOrderId,
                description, "buyer@example.com", Map.of("channel", "web", "api_key", "hidden"),
                checkoutUrl, callbackUrl, "https://merchant.example.com/thanks", dueDate,
                expiresAt, livemode, status, paid, asked().minusFloorZero(paid));
        return add(e);
    }

    /** Gives the invoice a checkout URL ending in a token, as command-service creates them since the hosted page. */
    public InvoiceHistory withCheckoutToken(CheckoutToken token) {
        checkoutUrl = "http://localhost:8080/checkout/" + token.value();
        return this;
    }

    public InvoiceHistory withNumber(String number) {
        this.number = number;
        return this;
    }

    public InvoiceHistory withCallbackUrl(String url) {
        callbackUrl = url;
        return this;
    }

    public PaymentReceived pay(String value, Instant at) {
        var payment = Money.parse(value, amount.currency());
        paid = paid.plus(payment);
        int cmp = paid.compareTo(asked());
        status = cmp < 0 ? InvoiceStatus.PARTIALLY_PAID : cmp == 0 ? InvoiceStatus.PAID : InvoiceStatus.OVERPAID;
        var e = new PaymentReceived(EventId.generate(), id, store, ++sequence, at, PaymentId.generate(), payment,
                "ref-" + sequence, "bank_transfer", at, status, paid, asked().minusFloorZero(paid));
        return add(e);
    }

    /** A credit note on an open or partially paid invoice; nothing left due makes it paid. */
    public CreditNoteIssued credit(String value, CreditNoteReason reason, Instant at) {
        var credit = Money.parse(value, amount.currency());
        credited = credited.plus(credit);
        if (asked().minusFloorZero(paid).isZero()) {
            status = InvoiceStatus.PAID;
        }
        return add(new CreditNoteIssued(EventId.generate(), id, store, ++sequence, at, CreditNoteId.generate(), credit,
                reason, "memo-" + sequence, credited, status, paid, asked().minusFloorZero(paid)));
    }

    /** A refund of money received, naming {@code payment} (or none); status and what is due stay. */
    public RefundIssued refund(String value, PaymentId payment, Instant at) {
        var refund = Money.parse(value, amount.currency());
        refunded = refunded.plus(refund);
        return add(new RefundIssued(EventId.generate(), id, store, ++sequence, at, RefundId.generate(), refund,
                "refund-" + sequence, payment, payment == null ? null : "requested_by_customer", refunded, status, paid,
                asked().minusFloorZero(paid)));
    }

    /** What the invoice asks for after its credit notes. */
    private Money asked() {
        return amount.minusFloorZero(credited);
    }

    public InvoiceCancelled cancel(Instant at) {
        status = InvoiceStatus.CANCELLED;
        return add(new InvoiceCancelled(EventId.generate(), id, store, ++sequence, at, "customer asked", status, paid,
                asked().minusFloorZero(paid)));
    }

    public InvoiceExpired expire(Instant at) {
        status = InvoiceStatus.EXPIRED;
        return add(new InvoiceExpired(EventId.generate(), id, store, ++sequence, at, status, paid,
                asked().minusFloorZero(paid)));
    }

    public InvoiceOverdue overdue(Instant at, LocalDate dueDate) {
        return add(new InvoiceOverdue(EventId.generate(), id, store, ++sequence, at, dueDate, status, paid,
                asked().minusFloorZero(paid)));
    }

    private <E extends LedgerEvent> E add(E event) {
        events.add(event);
        return event;
    }

    public InvoiceId id() {
        return id;
    }

    public String path() {
        return "/v1/invoices/" + id.value();
    }

    public List<LedgerEvent> events() {
        return List.copyOf(events);
    }
}
