package ledger.events;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An invoice as merchants see it (SPEC §4.3), derived from its events alone: {@link #created} starts it,
 * {@link #apply} moves it one event on. Command responses, the query read model, {@code as_of} answers
 * and webhook payloads all use this one fold, so they cannot disagree.
 *
 * <p>Amounts are decimal strings at the currency's scale. Metadata keys that look like secrets are
 * dropped here — they stay in the ledger, but no view shows them.
 */
public record InvoiceView(
        String id,
        String object,
        InvoiceStatus status,
        String amount,
        String amountPaid,
        String amountDue,
        String amountOverpaid,
        String currency,
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
        List<Payment> payments,
        long version,
        boolean livemode) {

    private static final Pattern SECRET_LOOKING = Pattern.compile(
            "pass(word)?|secret|token|api[_-]?key|card|cvv|cvc|pin|ssn|private|credential|auth");

    /** One payment as listed on the invoice. */
    public record Payment(String id, String object, String amount, String currency, String reference, String method,
                          Instant receivedAt, Instant createdAt) {
    }

    public static InvoiceView created(InvoiceCreated e) {
        return new InvoiceView(e.invoiceId().value(), "invoice", e.status(), e.amount().toPlainString(),
                e.amountPaid().toPlainString(), e.amountDue().toPlainString(),
                overpaid(e.amount(), e.amountPaid()).toPlainString(), e.amount().currency().getCurrencyCode(),
                e.externalOrderId(), e.description(), e.customerEmail(), visibleMetadata(e.metadata()),
                e.checkoutUrl(), e.returnUrl(), e.callbackUrl(), e.dueDate(), e.expiresAt(), e.occurredAt(),
                e.occurredAt(), null, null, null, null, List.of(), e.sequence(), e.livemode());
    }

    /**
     * The view after {@code event}. Events at or below the current version are ignored, which makes
     * applying a redelivered event harmless.
     */
    public InvoiceView apply(LedgerEvent event) {
        if (event.sequence() <= version) {
            return this;
        }
        var money = Money.zero(java.util.Currency.getInstance(currency));
        var total = new Money(new java.math.BigDecimal(amount), money.currency());
        List<Payment> payments = this.payments;
        Instant paidAt = this.paidAt;
        Instant cancelledAt = this.cancelledAt;
        String cancellationReason = this.cancellationReason;
        Instant expiredAt = this.expiredAt;
        if (event instanceof PaymentReceived p) {
            var list = new ArrayList<>(payments);
            list.add(new Payment(p.paymentId().value(), "payment", p.amount().toPlainString(), currency, p.reference(),
                    p.method(), p.receivedAt(), p.occurredAt()));
            payments = Collections.unmodifiableList(list);
            if (paidAt == null && (p.status() == InvoiceStatus.PAID || p.status() == InvoiceStatus.OVERPAID)) {
                paidAt = p.occurredAt();
            }
        } else if (event instanceof InvoiceCancelled c) {
            cancelledAt = c.occurredAt();
            cancellationReason = c.reason();
        } else if (event instanceof InvoiceExpired x) {
            expiredAt = x.occurredAt();
        }
        return new InvoiceView(id, object, event.status(), amount, event.amountPaid().toPlainString(),
                event.amountDue().toPlainString(), overpaid(total, event.amountPaid()).toPlainString(), currency,
                externalOrderId, description, customerEmail, metadata, checkoutUrl, returnUrl, callbackUrl, dueDate,
                expiresAt, createdAt, event.occurredAt(), paidAt, cancelledAt, cancellationReason, expiredAt, payments,
                event.sequence(), livemode);
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

    private static Money overpaid(Money amount, Money paid) {
        return paid.minusFloorZero(amount);
    }

    static boolean looksSecret(String key) {
        return SECRET_LOOKING.matcher(key.toLowerCase(Locale.ROOT)).find();
    }

    /** The metadata a response may show: every key but the secret-looking ones (SPEC §4.2). */
    public static Map<String, String> visibleMetadata(Map<String, String> metadata) {
        var visible = new TreeMap<String, String>();
        metadata.forEach((k, v) -> {
            if (!looksSecret(k)) {
                visible.put(k, v);
            }
        });
        return Collections.unmodifiableMap(visible);
    }
}
