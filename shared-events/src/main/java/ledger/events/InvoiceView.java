package ledger.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * An invoice as merchants see it (SPEC §4.3), derived from its events alone: {@link #created} starts it,
 * {@link #apply} moves it one event on. Command responses, the query read model, {@code as_of} answers
 * and webhook payloads all use this one fold, so they cannot disagree.
 *
 * <p>{@code overdue} is true while an invoice that went overdue ({@link InvoiceOverdue}) is still open or partially
 * paid (not once it is written off); {@code overdue_at} keeps when it went overdue after it is settled, cancelled,
 * expired or written off.
 *
 * <p>Corrections (SPEC §4.5): {@code amount} never changes. Credit notes lower what is asked for, so
 * {@code amount_due = max(amount − amount_credited − amount_paid, 0)} and {@code amount_overpaid =
 * max(amount_paid − (amount − amount_credited), 0)}; refunds give money back and change neither: {@code amount_paid}
 * stays what was received and {@code amount_refunded} says how much of it went back.
 *
 * <p>Amounts are decimal strings at the currency's scale. Metadata keys that look like secrets are
 * dropped here, and so are values that are credentials
 * ({@code sk_live_…}, {@code whsec_…}, {@code Bearer …}) — they stay in the ledger, but no view shows them.
 */
public record InvoiceView(
        String id,
        String object,
        String number,
        InvoiceStatus status,
        String amount,
        String amountPaid,
        String amountDue,
        String amountOverpaid,
        String amountCredited,
        String amountRefunded,
        String currency,
        List<Line> lineItems,
        String externalOrderId,
        String description,
        String customerEmail,
        Map<String, String> metadata,
        String checkoutUrl,
        String returnUrl,
        String callbackUrl,
        LocalDate dueDate,
        Instant expiresAt,
        Instant createdAt,
        Instant updatedAt,
        Instant paidAt,
        Instant cancelledAt,
        String cancellationReason,
        Instant expiredAt,
        boolean overdue,
        Instant overdueAt,
        Instant markedUncollectibleAt,
        List<Payment> payments,
        List<Refund> refunds,
        List<CreditNote> creditNotes,
        long version,
        boolean livemode) {

    /** Words that make a metadata key secret-looking wherever they stand in it. */
    private static final Set<String> SECRET_WORDS = Set.of("password", "passwd", "passphrase", "pass", "pwd",
            "secret", "secrets", "token", "tokens", "apikey", "card", "pan", "cvv", "cvv2", "cvc", "pin", "ssn",
            "iban", "sk", "auth", "credential", "credentials");
    /** {@code key} is secret-looking only after one of these words ({@code api_key}, not {@code sort_key}). */
    private static final Set<String> KEY_QUALIFIERS = Set.of("api", "secret", "private", "access");
    /** Splits a key into words at {@code _ - .}, spaces and camelCase humps ({@code stripeSK}, {@code APIKey}). */
    private static final Pattern WORD_BOUNDARY = Pattern.compile(
            "[_\\-.\\s]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");
    /** Values that are credentials whatever their key: API keys, webhook secrets, bearer tokens. */
    private static final Pattern SECRET_VALUE = Pattern.compile(
            "(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]|(?<![A-Za-z0-9])whsec_[A-Za-z0-9+/=]"
                    + "|^\\s*(?i:bearer)\\s+\\S");

    /** One payment as listed on the invoice. */
    public record Payment(String id, String object, String amount, String currency, String reference, String method,
                          Instant receivedAt, Instant createdAt) {
    }

    /**
     * A view stored before a list or figure existed (line items, refunds, credit notes) reads it as none: empty, or
     * zero at the currency's scale, which is what folding its events with this code gives.
     */
    public InvoiceView {
        lineItems = lineItems == null ? List.of() : lineItems;
        payments = payments == null ? List.of() : payments;
        refunds = refunds == null ? List.of() : refunds;
        creditNotes = creditNotes == null ? List.of() : creditNotes;
        if (currency != null && (amountCredited == null || amountRefunded == null)) {
            String zero = Money.zero(java.util.Currency.getInstance(currency)).toPlainString();
            amountCredited = amountCredited == null ? zero : amountCredited;
            amountRefunded = amountRefunded == null ? zero : amountRefunded;
        }
    }

    /** One refund as listed on the invoice; {@code payment} is the payment it names, if any. */
    public record Refund(String id, String object, String amount, String currency, String reference, String payment,
                         String reason, Instant createdAt) {
    }

    /** One credit note as listed on the invoice. */
    public record CreditNote(String id, String object, String amount, String currency, CreditNoteReason reason,
                             String memo, Instant createdAt) {
    }

    /**
     * One line as listed on the invoice: what was sent and the figures {@link LineItem} computed, amounts at the
     * currency's scale; a percentage not sent is null.
     */
    public record Line(String description, String quantity, String unitAmount, String discountPercent,
                       String taxPercent, String amountSubtotal, String amountDiscount, String amountTax,
                       String amountTotal) {

        static Line of(LineItem item) {
            return new Line(item.description(), item.quantity().toPlainString(), item.unitAmount().toPlainString(),
                    plain(item.discountPercent()), plain(item.taxPercent()), item.amountSubtotal().toPlainString(),
                    item.amountDiscount().toPlainString(), item.amountTax().toPlainString(),
                    item.amountTotal().toPlainString());
        }

        private static String plain(java.math.BigDecimal value) {
            return value == null ? null : value.toPlainString();
        }
    }

    public static InvoiceView created(InvoiceCreated e) {
        var zero = Money.zero(e.amount().currency()).toPlainString();
        return new InvoiceView(e.invoiceId().value(), "invoice", e.number(), e.status(), e.amount().toPlainString(),
                e.amountPaid().toPlainString(), e.amountDue().toPlainString(),
                e.amountPaid().minusFloorZero(e.amount()).toPlainString(), zero, zero,
                e.amount().currency().getCurrencyCode(),
                e.lineItems().stream().map(Line::of).toList(), e.externalOrderId(), e.description(), e.customerEmail(),
                visibleMetadata(e.metadata()), e.checkoutUrl(), e.returnUrl(), e.callbackUrl(), e.dueDate(),
                e.expiresAt(), e.occurredAt(), e.occurredAt(), null, null, null, null, false, null, null, List.of(),
                List.of(), List.of(), e.sequence(), e.livemode());
    }

    /**
     * The view after {@code event}. Events at or below the current version are ignored, which makes
     * applying a redelivered event harmless.
     */
    public InvoiceView apply(LedgerEvent event) {
        if (event.sequence() <= version) {
            return this;
        }
        var money = java.util.Currency.getInstance(currency);
        List<Payment> payments = this.payments;
        List<Refund> refunds = this.refunds;
        List<CreditNote> creditNotes = this.creditNotes;
        String amountCredited = this.amountCredited;
        String amountRefunded = this.amountRefunded;
        Instant paidAt = this.paidAt;
        Instant cancelledAt = this.cancelledAt;
        String cancellationReason = this.cancellationReason;
        Instant expiredAt = this.expiredAt;
        Instant overdueAt = this.overdueAt;
        Instant markedUncollectibleAt = this.markedUncollectibleAt;
        if (event instanceof PaymentReceived p) {
            payments = append(payments, new Payment(p.paymentId().value(), "payment", p.amount().toPlainString(),
                    currency, p.reference(), p.method(), p.receivedAt(), p.occurredAt()));
        } else if (event instanceof RefundIssued r) {
            refunds = append(refunds, new Refund(r.refundId().value(), "refund", r.amount().toPlainString(), currency,
                    r.reference(), r.paymentId() == null ? null : r.paymentId().value(), r.reason(), r.occurredAt()));
            amountRefunded = r.amountRefunded().toPlainString();
        } else if (event instanceof CreditNoteIssued n) {
            creditNotes = append(creditNotes, new CreditNote(n.creditNoteId().value(), "credit_note",
                    n.amount().toPlainString(), currency, n.reason(), n.memo(), n.occurredAt()));
            amountCredited = n.amountCredited().toPlainString();
        } else if (event instanceof InvoiceCancelled c) {
            cancelledAt = c.occurredAt();
            cancellationReason = c.reason();
        } else if (event instanceof InvoiceExpired x) {
            expiredAt = x.occurredAt();
        } else if (event instanceof InvoiceOverdue o) {
            overdueAt = o.occurredAt();
        } else if (event instanceof InvoiceMarkedUncollectible u) {
            markedUncollectibleAt = u.occurredAt();
        }
        if (paidAt == null && (event.status() == InvoiceStatus.PAID || event.status() == InvoiceStatus.OVERPAID)) {
            paidAt = event.occurredAt(); // settled by a payment or by a credit note
        }
        var asked = new Money(new BigDecimal(amount), money)
                .minusFloorZero(new Money(new BigDecimal(amountCredited), money));
        return new InvoiceView(id, object, number, event.status(), amount, event.amountPaid().toPlainString(),
                event.amountDue().toPlainString(), event.amountPaid().minusFloorZero(asked).toPlainString(),
                amountCredited, amountRefunded, currency,
                lineItems, externalOrderId, description, customerEmail, metadata, checkoutUrl, returnUrl, callbackUrl,
                dueDate, expiresAt, createdAt, event.occurredAt(), paidAt, cancelledAt, cancellationReason, expiredAt,
                overdueAt != null && event.status().isCollecting(), overdueAt, markedUncollectibleAt, payments, refunds,
                creditNotes, event.sequence(), livemode);
    }

    /** This invoice's payment with that id, if it has one. */
    public Optional<Payment> payment(String paymentId) {
        return payments.stream().filter(p -> p.id().equals(paymentId)).findFirst();
    }

    /** This invoice's refund with that id, if it has one. */
    public Optional<Refund> refund(String refundId) {
        return refunds.stream().filter(r -> r.id().equals(refundId)).findFirst();
    }

    /** This invoice's credit note with that id, if it has one. */
    public Optional<CreditNote> creditNote(String creditNoteId) {
        return creditNotes.stream().filter(n -> n.id().equals(creditNoteId)).findFirst();
    }

    /** Folds a complete, ordered history that starts with {@link InvoiceCreated}. */
    public static InvoiceView replay(List<? extends LedgerEvent> history) {
        if (history.isEmpty() || !(history.get(0) instanceof InvoiceCreated created)) {
            throw new IllegalArgumentException("an invoice history starts with InvoiceCreated");
        }
        var view = created(created);
        for (var event : history.subList(1, history.size())) {
            view = view.apply(event);
        }
        return view;
    }

    /**
     * The view over a history sorted by sequence, folded only over its gap-free prefix 1, 2, 3…; empty
     * while its {@link InvoiceCreated} is missing. See {@link #advance}.
     */
    public static Optional<InvoiceView> foldGapFree(List<? extends LedgerEvent> history) {
        return Optional.ofNullable(advance(null, history, (event, view) -> { }));
    }

    /**
     * Moves {@code view} on by the events that follow it without a gap — the one ordering rule of every
     * consumer. An event that arrived before its predecessor (a producer's retry, a redelivery) waits until
     * the gap closes, so a view never shows version 3 without event 2, and read-your-writes never reports a
     * version the view does not contain. Events at or below the view's version are skipped.
     *
     * @param view    the invoice so far, or null before its first event (then only an {@link InvoiceCreated}
     *                with sequence 1 starts it)
     * @param events  the candidate events, sorted by sequence
     * @param applied told each event applied, with the view after it, in order
     * @return the view after the last event applied: {@code view} itself when none could be
     */
    public static InvoiceView advance(InvoiceView view, Iterable<? extends LedgerEvent> events,
                                      BiConsumer<LedgerEvent, InvoiceView> applied) {
        long version = view == null ? 0 : view.version;
        for (LedgerEvent event : events) {
            if (event.sequence() <= version) {
                continue;
            }
            if (event.sequence() != version + 1) {
                break;
            }
            if (view == null) {
                if (!(event instanceof InvoiceCreated created)) {
                    break;
                }
                view = created(created);
            } else {
                view = view.apply(event);
            }
            version = event.sequence();
            applied.accept(event, view);
        }
        return view;
    }

    private static <T> List<T> append(List<T> list, T item) {
        var longer = new ArrayList<T>(list.size() + 1);
        longer.addAll(list);
        longer.add(item);
        return Collections.unmodifiableList(longer);
    }

    /**
     * Whole words of the key decide, so {@code pwd}, {@code pan} and {@code stripe_sk} are hidden while
     * {@code discard}, {@code cardinal} and {@code tokenizer} are shown.
     */
    static boolean looksSecret(String key, String value) {
        String previous = "";
        for (String word : WORD_BOUNDARY.split(key)) {
            word = word.toLowerCase(Locale.ROOT);
            if (SECRET_WORDS.contains(word) || word.equals("key") && KEY_QUALIFIERS.contains(previous)) {
                return true;
            }
            previous = word;
        }
        return value != null && SECRET_VALUE.matcher(value).find();
    }

    /** The metadata a response may show: every entry but the secret-looking ones (SPEC §4.2). */
    public static Map<String, String> visibleMetadata(Map<String, String> metadata) {
        var visible = new TreeMap<String, String>();
        metadata.forEach((k, v) -> {
            if (!looksSecret(k, v)) {
                visible.put(k, v);
            }
        });
        return Collections.unmodifiableMap(visible);
    }
}
