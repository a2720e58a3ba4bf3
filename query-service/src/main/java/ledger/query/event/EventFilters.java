package ledger.query.event;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ledger.events.Ids;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.WebhookTypes;
import ledger.support.web.ApiException;

/**
 * The {@code type} and {@code invoice} filters shared by the events feed and the exports. A type is a
 * ledger name ({@code PaymentReceived}) or the webhook name a receiver was sent ({@code invoice.paid}):
 * both must find the same events.
 */
final class EventFilters {

    /** A filter on the ledger type and, for a webhook name that splits one ledger type, the resulting status. */
    record TypeFilter(String ledgerType, Set<InvoiceStatus> statuses) {
    }

    static final Map<String, TypeFilter> TYPES = Map.ofEntries(
            Map.entry("InvoiceCreated", new TypeFilter("InvoiceCreated", null)),
            Map.entry("PaymentReceived", new TypeFilter("PaymentReceived", null)),
            Map.entry("InvoiceCancelled", new TypeFilter("InvoiceCancelled", null)),
            Map.entry("InvoiceExpired", new TypeFilter("InvoiceExpired", null)),
            Map.entry("InvoiceOverdue", new TypeFilter("InvoiceOverdue", null)),
            Map.entry("InvoiceMarkedUncollectible", new TypeFilter("InvoiceMarkedUncollectible", null)),
            Map.entry(WebhookTypes.INVOICE_CREATED, new TypeFilter("InvoiceCreated", null)),
            Map.entry(WebhookTypes.INVOICE_PARTIALLY_PAID,
                    new TypeFilter("PaymentReceived", Set.of(InvoiceStatus.PARTIALLY_PAID))),
            Map.entry(WebhookTypes.INVOICE_PAID,
                    new TypeFilter("PaymentReceived", Set.of(InvoiceStatus.PAID, InvoiceStatus.OVERPAID))),
            Map.entry(WebhookTypes.INVOICE_CANCELLED, new TypeFilter("InvoiceCancelled", null)),
            Map.entry(WebhookTypes.INVOICE_EXPIRED, new TypeFilter("InvoiceExpired", null)),
            Map.entry(WebhookTypes.INVOICE_OVERDUE, new TypeFilter("InvoiceOverdue", null)),
            Map.entry(WebhookTypes.INVOICE_MARKED_UNCOLLECTIBLE, new TypeFilter("InvoiceMarkedUncollectible", null)));

    private EventFilters() {
    }

    /** Appends the conditions for {@code type} and {@code invoice} (either may be null) to {@code where}. */
    static void appendTo(String type, String invoice, StringBuilder where, List<Object> args) {
        if (type != null) {
            TypeFilter filter = TYPES.get(type);
            if (filter == null) {
                throw ApiException.invalid("type", "type must be a ledger event type (InvoiceCreated, PaymentReceived,"
                        + " InvoiceCancelled, InvoiceExpired, InvoiceOverdue, InvoiceMarkedUncollectible) or a webhook type ("
                        + String.join(", ", WebhookTypes.ALL) + ")");
            }
            where.append(" AND type = ?");
            args.add(filter.ledgerType());
            if (filter.statuses() != null) {
                where.append(" AND status IN (").append(String.join(", ", Collections.nCopies(filter.statuses().size(),
                        "?"))).append(')');
                filter.statuses().stream().map(InvoiceStatus::wireName).sorted().forEach(args::add);
            }
        }
        if (invoice != null) {
            if (!Ids.isWellFormed(invoice, InvoiceId.PREFIX)) {
                throw ApiException.invalid("invoice", "invoice must be an invoice id (inv_…)");
            }
            where.append(" AND invoice_id = ?");
            args.add(invoice);
        }
    }
}
