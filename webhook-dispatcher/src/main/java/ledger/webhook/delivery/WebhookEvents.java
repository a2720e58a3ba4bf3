package ledger.webhook.delivery;

import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.StoreId;
import ledger.webhook.endpoint.Endpoint;
import ledger.webhook.endpoint.Endpoints;
import ledger.events.WebhookTypes;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Turns each ledger event into one webhook event and plans its deliveries: one per subscribed endpoint of
 * the store (same mode, not deleted), plus one to the invoice's {@code callback_url}. Runs inside the
 * inbox's transaction, so an event is either recorded with all its deliveries or not at all.
 */
@Component
public class WebhookEvents {

    private final JdbcTemplate jdbc;
    private final Endpoints endpoints;
    private final Clock clock;

    WebhookEvents(JdbcTemplate jdbc, Endpoints endpoints, Clock clock) {
        this.jdbc = jdbc;
        this.endpoints = endpoints;
        this.clock = clock;
    }

    /** A ledger event to publish, with the invoice as it stood after it. */
    public record Published(LedgerEvent event, InvoiceView view) {
    }

    /**
     * Inserts the events' webhooks and their deliveries, three statements for any number of events. An
     * event published before gets nothing new.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void publish(List<Published> published) {
        if (published.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        var rows = new WebhookRows(published.size());
        for (Published p : published) {
            rows.add(p, WebhookTypes.of(p.event()), callbackUrl(p.view()));
        }
        Set<String> inserted = new HashSet<>();
        jdbc.query("""
                INSERT INTO webhook_event (event_id, store_id, invoice_id, type, livemode, occurred_at, callback_url,
                                           body, created_at)
                SELECT event_id, store_id, invoice_id, type, livemode::boolean, occurred::timestamptz, callback_url,
                       body, ?
                FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                     AS r(event_id, store_id, invoice_id, type, livemode, occurred, callback_url, body)
                ON CONFLICT DO NOTHING
                RETURNING event_id""", rs -> {
                    inserted.add(rs.getString(1));
                }, rows.args(Timestamp.from(now)));
        if (inserted.isEmpty()) {
            return;
        }
        var deliveries = new DeliveryRows();
        Map<StoreId, List<Endpoint>> subscribers = endpoints.of(published.stream()
                .map(p -> p.event().storeId()).collect(Collectors.toSet()));
        for (int i = 0; i < published.size(); i++) {
            Published p = published.get(i);
            if (!inserted.contains(p.event().eventId().value())) {
                continue;
            }
            String type = rows.types.get(i);
            for (Endpoint endpoint : subscribers.getOrDefault(p.event().storeId(), List.of())) {
                if (endpoint.livemode() == p.view().livemode() && endpoint.wants(type)) {
                    // A disabled endpoint gets its row too, already failed: recover can send it once re-enabled.
                    deliveries.add(p.event(), endpoint.id(), null, endpointTarget(endpoint.id()),
                            endpoint.disabled() ? "failed" : "pending");
                }
            }
            String callbackUrl = rows.callbackUrls.get(i);
            if (callbackUrl != null) {
                deliveries.add(p.event(), null, callbackUrl, callbackTarget(callbackUrl), "pending");
            }
        }
        if (deliveries.eventIds.isEmpty()) {
            return;
        }
        Timestamp at = Timestamp.from(now);
        jdbc.update("""
                INSERT INTO delivery (event_id, invoice_id, sequence, endpoint_id, url, target_key, state,
                                      next_attempt_at, last_error, created_at, updated_at)
                SELECT event_id, invoice_id, seq, endpoint_id, url, target_key, state,
                       CASE WHEN state = 'pending' THEN ?::timestamptz END,
                       CASE WHEN state = 'failed' THEN 'endpoint disabled' END, ?, ?
                FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[])
                     AS r(event_id, invoice_id, seq, endpoint_id, url, target_key, state)
                ON CONFLICT DO NOTHING""",
                at, at, at, deliveries.eventIds.toArray(String[]::new), deliveries.invoiceIds.toArray(String[]::new),
                deliveries.sequences.toArray(Long[]::new), deliveries.endpointIds.toArray(String[]::new),
                deliveries.urls.toArray(String[]::new), deliveries.targets.toArray(String[]::new),
                deliveries.states.toArray(String[]::new));
    }

    private static String callbackUrl(InvoiceView view) {
        return view.callbackUrl() == null || view.callbackUrl().isBlank() ? null : view.callbackUrl();
    }

    /** The webhook_event rows of a batch, column by column. */
    private static final class WebhookRows {
        final List<String> eventIds;
        final List<String> storeIds;
        final List<String> invoiceIds;
        final List<String> types;
        final List<String> livemodes;
        final List<String> occurred;
        final List<String> callbackUrls;
        final List<String> bodies;

        WebhookRows(int size) {
            eventIds = new ArrayList<>(size);
            storeIds = new ArrayList<>(size);
            invoiceIds = new ArrayList<>(size);
            types = new ArrayList<>(size);
            livemodes = new ArrayList<>(size);
            occurred = new ArrayList<>(size);
            callbackUrls = new ArrayList<>(size);
            bodies = new ArrayList<>(size);
        }

        void add(Published p, String type, String callbackUrl) {
            LedgerEvent e = p.event();
            eventIds.add(e.eventId().value());
            storeIds.add(e.storeId().value());
            invoiceIds.add(e.invoiceId().value());
            types.add(type);
            livemodes.add(Boolean.toString(p.view().livemode()));
            occurred.add(e.occurredAt().toString());
            callbackUrls.add(callbackUrl);
            bodies.add(WebhookPayloads.body(e, type, p.view()));
        }

        Object[] args(Timestamp createdAt) {
            return new Object[] {createdAt, eventIds.toArray(String[]::new), storeIds.toArray(String[]::new),
                    invoiceIds.toArray(String[]::new), types.toArray(String[]::new), livemodes.toArray(String[]::new),
                    occurred.toArray(String[]::new), callbackUrls.toArray(String[]::new),
                    bodies.toArray(String[]::new)};
        }
    }

    /** The delivery rows of a batch, column by column. */
    private static final class DeliveryRows {
        final List<String> eventIds = new ArrayList<>();
        final List<String> invoiceIds = new ArrayList<>();
        final List<Long> sequences = new ArrayList<>();
        final List<String> endpointIds = new ArrayList<>();
        final List<String> urls = new ArrayList<>();
        final List<String> targets = new ArrayList<>();
        final List<String> states = new ArrayList<>();

        void add(LedgerEvent e, String endpointId, String url, String target, String state) {
            eventIds.add(e.eventId().value());
            invoiceIds.add(e.invoiceId().value());
            sequences.add(e.sequence());
            endpointIds.add(endpointId);
            urls.add(url);
            targets.add(target);
            states.add(state);
        }
    }

    static String endpointTarget(String endpointId) {
        return "endpoint:" + endpointId;
    }

    /**
     * Callbacks are limited per host, not per invoice: one slow merchant server must not take a worker
     * for every one of its invoices.
     */
    static String callbackTarget(String url) {
        try {
            var uri = URI.create(url);
            if (uri.getHost() != null) {
                return "callback:" + uri.getScheme().toLowerCase(Locale.ROOT) + "://"
                        + uri.getHost().toLowerCase(Locale.ROOT) + ":" + uri.getPort();
            }
        } catch (IllegalArgumentException e) {
            // not a URI: fall through, the attempt will fail and say why
        }
        return "callback:" + url;
    }
}
