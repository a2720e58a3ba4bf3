package ledger.events;

import java.util.List;

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

    public static final List<String> ALL = List.of(INVOICE_CREATED, INVOICE_PARTIALLY_PAID, INVOICE_PAID,
            INVOICE_CANCELLED, INVOICE_EXPIRED, INVOICE_OVERDUE, INVOICE_MARKED_UNCOLLECTIBLE, INVOICE_REFUNDED,
            INVOICE_CREDITED);

    private WebhookTypes() {
    }

    /**
     * The webhook type of a ledger event. A payment is {@code invoice.partially_paid} when it leaves the
     * invoice partially paid and {@code invoice.paid} when it settles or overpays it.
     */
    public static String of(LedgerEvent event) {
        if (event instanceof InvoiceCreated) {
            return INVOICE_CREATED;
        }
        if (event instanceof PaymentReceived) {
            return event.status() == InvoiceStatus.PARTIALLY_PAID ? INVOICE_PARTIALLY_PAID : INVOICE_PAID;
        }
        if (event instanceof InvoiceCancelled) {
            return INVOICE_CANCELLED;
        }
        if (event instanceof InvoiceExpired) {
            return INVOICE_EXPIRED;
        }
        if (event instanceof InvoiceOverdue) {
            return INVOICE_OVERDUE;
        }
        if (event instanceof InvoiceMarkedUncollectible) {
            return INVOICE_MARKED_UNCOLLECTIBLE;
        }
        if (event instanceof RefundIssued) {
            return INVOICE_REFUNDED;
        }
        if (event instanceof CreditNoteIssued) {
            return INVOICE_CREDITED;
        }
        throw new IllegalArgumentException("no webhook type for " + event.type());
    }
}
