package ledger.events;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The webhook event types (SPEC §6) and which one a ledger event becomes. Shared because the events API
 * accepts these names as well as the ledger's (a receiver looks up what it was sent).
 */
public final class WebhookTypes {

    public static final String INVOICE_CREATED = "invoice.created";
    public static final String INVOICE_PARTIALLY_PAID = "invoice.partially_paid";
    public static final String INVOICE_PAID = "invoice.paid";
    public static final String INVOICE_CANCELLED = "invoice.cancelled";
    public static final String INVOICE_EXPIRED = "invoice.expired";
    public static final String INVOICE_OVERDUE = "invoice.overdue";
    public static final String INVOICE_MARKED_UNCOLLECTIBLE = "invoice.marked_uncollectible";
    public static final String INVOICE_REFUNDED = "invoice.refunded";
    public static final String INVOICE_CREDITED = "invoice.credited";
    /** In {@code enabled_events}: every type, including ones added later. */
    public static final String WILDCARD = "*";

    /**
     * Which ledger events become each webhook type: the event's record and, where one record splits into several
     * types, the invoice statuses after it that select this one (null: any). {@link #of} and the events API's
     * {@code type} filter both read this one table, so a new event is added here once.
     */
    public record Source(Class<? extends LedgerEvent> event, Set<InvoiceStatus> statuses) {

        boolean matches(LedgerEvent e) {
            return event.isInstance(e) && (statuses == null || statuses.contains(e.status()));
        }
    }

    /** Every webhook type and its source, in the order the types are listed. */
    public static final Map<String, Source> SOURCES = sources();

    public static final List<String> ALL = List.copyOf(SOURCES.keySet());

    private WebhookTypes() {
    }

    private static Map<String, Source> sources() {
        var sources = new LinkedHashMap<String, Source>();
        sources.put(INVOICE_CREATED, new Source(InvoiceCreated.class, null));
        // a part payment on a written-off invoice leaves it uncollectible: still only partly paid
        sources.put(INVOICE_PARTIALLY_PAID, new Source(PaymentReceived.class,
                Set.of(InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.UNCOLLECTIBLE)));
        sources.put(INVOICE_PAID,
                new Source(PaymentReceived.class, Set.of(InvoiceStatus.PAID, InvoiceStatus.OVERPAID)));
        sources.put(INVOICE_CANCELLED, new Source(InvoiceCancelled.class, null));
        sources.put(INVOICE_EXPIRED, new Source(InvoiceExpired.class, null));
        sources.put(INVOICE_OVERDUE, new Source(InvoiceOverdue.class, null));
        sources.put(INVOICE_MARKED_UNCOLLECTIBLE, new Source(InvoiceMarkedUncollectible.class, null));
        sources.put(INVOICE_REFUNDED, new Source(RefundIssued.class, null));
        sources.put(INVOICE_CREDITED, new Source(CreditNoteIssued.class, null));
        return Collections.unmodifiableMap(sources);
    }

    /**
     * The webhook type of a ledger event. A payment is {@code invoice.partially_paid} when it leaves the
     * invoice partially paid and {@code invoice.paid} when it settles or overpays it (a payment on a written-off
     * invoice that leaves it uncollectible is {@code invoice.partially_paid} too).
     */
    public static String of(LedgerEvent event) {
        for (var type : SOURCES.entrySet()) { // every event the dispatcher takes in: no stream per event
            if (type.getValue().matches(event)) {
                return type.getKey();
            }
        }
        throw new IllegalArgumentException("no webhook type for " + event.type());
    }
}
