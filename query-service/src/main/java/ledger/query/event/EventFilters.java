package ledger.query.event;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ledger.events.Ids;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.LedgerEvent;
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

    /** The ledger's event types, from the records {@link LedgerEvent} permits: a new event is filterable at once. */
    static final List<String> LEDGER_TYPES = Arrays.stream(LedgerEvent.class.getPermittedSubclasses())
            .map(Class::getSimpleName).toList();

    static final Map<String, TypeFilter> TYPES = types();

    private static Map<String, TypeFilter> types() {
        var types = new HashMap<String, TypeFilter>();
        LEDGER_TYPES.forEach(type -> types.put(type, new TypeFilter(type, null)));
        WebhookTypes.SOURCES.forEach((name, source) ->
                types.put(name, new TypeFilter(source.event().getSimpleName(), source.statuses())));
        return Map.copyOf(types);
    }

    private EventFilters() {
    }

    /** Appends the conditions for {@code type} and {@code invoice} (either may be null) to {@code where}. */
    static void appendTo(String type, String invoice, StringBuilder where, List<Object> args) {
        if (type != null) {
            TypeFilter filter = TYPES.get(type);
            if (filter == null) {
                throw ApiException.invalid("type", "type must be a ledger event type (" + String.join(", ", LEDGER_TYPES)
                        + ") or a webhook type (" + String.join(", ", WebhookTypes.ALL) + ")");
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
