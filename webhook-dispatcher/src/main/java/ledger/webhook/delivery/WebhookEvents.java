package ledger.webhook.delivery;

import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import ledger.events.Ids;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.StoreId;
import ledger.webhook.WebhookProperties;
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
    private final DeliveryWorker worker;
    private final Duration lease;
    private final Clock clock;

    WebhookEvents(JdbcTemplate jdbc, Endpoints endpoints, DeliveryWorker worker, WebhookProperties properties,
                  Clock clock) {
        this.jdbc = jdbc;
        this.endpoints = endpoints;
        this.worker = worker;
        this.lease = properties.lease();
        this.clock = clock;
    }

    /** A ledger event to publish, with the invoice as it stood after it. */
    public record Published(LedgerEvent event, InvoiceView view) {
    }

    /**
     * Inserts the events' webhooks and their deliveries, three statements for any number of events. An
     * event published before gets nothing new. The deliveries the worker's lanes have room for are inserted
     * leased to this instance and go to the worker as the transaction commits, so their first attempts wait for
     * no poll; the worker is woken for the others.
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
                    deliveries.add(p, rows.bodies.get(i), endpoint, null, endpointTarget(endpoint.id()),
                            endpoint.disabled() ? "failed" : "pending");
                }
            }
            String callbackUrl = rows.callbackUrls.get(i);
            if (callbackUrl != null) {
                deliveries.add(p, rows.bodies.get(i), null, callbackUrl, callbackTarget(callbackUrl), "pending");
            }
        }
        if (deliveries.rows.isEmpty()) {
            return;
        }
        deliveries.offerLeases(worker);
        String token = Ids.randomToken(24);
        Instant leaseUntil = now.plus(lease);
        Timestamp at = Timestamp.from(now);
        record Inserted(long id, String eventId, String target, String state, String leaseToken) {
        }
        List<DeliveryQueue.Claim> leased = new ArrayList<>();
        boolean waiting = false;
        for (var row : jdbc.query("""
                INSERT INTO delivery (event_id, invoice_id, sequence, endpoint_id, url, target_key, state,
                                      next_attempt_at, last_error, created_at, updated_at, lease_until, lease_token)
                SELECT event_id, invoice_id, sequence, endpoint_id, url, target_key, state,
                       CASE WHEN state = 'pending' THEN ?::timestamptz END,
                       CASE WHEN state = 'failed' THEN 'endpoint disabled' END, ?, ?,
                       CASE WHEN go THEN ?::timestamptz END, CASE WHEN go THEN ? END
                FROM (SELECT r.*, r.lease AND NOT %s AS go
                      FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[],
                                  ?::boolean[])
                           AS r(event_id, invoice_id, sequence, endpoint_id, url, target_key, state, lease)) r
                ON CONFLICT DO NOTHING
                RETURNING id, event_id, target_key, state, lease_token""".formatted(
                        DeliveryQueue.behindAnEarlierEvent("r")),
                (rs, n) -> new Inserted(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5)),
                deliveries.args(at, at, at, Timestamp.from(leaseUntil), token))) {
            if (row.leaseToken() != null) {
                leased.add(deliveries.claim(row.id(), row.eventId(), row.target(), token, leaseUntil));
            } else {
                waiting |= row.state().equals("pending");
            }
        }
        if (!leased.isEmpty()) {
            worker.leased(leased);
        }
        if (waiting) {
            worker.wake();
        }
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

    /**
     * The delivery rows of a batch, and which of them the inbox offers to lease as it plans them: a pending
     * delivery whose target's lane has room in this instance, unless an earlier event of its invoice in the
     * batch goes to the same target (that one is sent first, and this one claimed once its first attempt is
     * recorded). The INSERT leases an offered row only if no earlier event of the invoice waits for its first
     * attempt there either (the queue's order rule, {@link DeliveryQueue#behindAnEarlierEvent}).
     */
    private static final class DeliveryRows {

        record Row(Published published, String body, Endpoint endpoint, String url, String target, String state) {
            String key() {
                return key(published.event().eventId().value(), target);
            }

            static String key(String eventId, String target) {
                return eventId + " " + target;
            }

            /** The invoice's deliveries to the target: the order rule's scope. */
            String invoiceToTarget() {
                return published.event().invoiceId().value() + " " + target;
            }
        }

        final List<Row> rows = new ArrayList<>();
        private final Map<String, Row> byKey = new HashMap<>();
        private final Set<Row> offered = Collections.newSetFromMap(new IdentityHashMap<>());

        void add(Published p, String body, Endpoint endpoint, String url, String target, String state) {
            var row = new Row(p, body, endpoint, url, target, state);
            rows.add(row);
            byKey.put(row.key(), row);
        }

        void offerLeases(DeliveryWorker worker) {
            Map<String, Long> first = new HashMap<>();
            for (Row row : rows) {
                if (row.state().equals("pending")) {
                    first.merge(row.invoiceToTarget(), row.published().event().sequence(), Math::min);
                }
            }
            int room = worker.room();
            Map<String, Integer> targetRoom = new HashMap<>();
            for (Row row : rows) {
                if (room > 0 && row.state().equals("pending")
                        && first.get(row.invoiceToTarget()) == row.published().event().sequence()
                        && targetRoom.computeIfAbsent(row.target(), worker::room) > 0) {
                    offered.add(row);
                    targetRoom.merge(row.target(), -1, Integer::sum);
                    room--;
                }
            }
        }

        DeliveryQueue.Claim claim(long id, String eventId, String target, String token, Instant leaseUntil) {
            Row row = byKey.get(Row.key(eventId, target));
            LedgerEvent e = row.published().event();
            return new DeliveryQueue.Claim(id, token, leaseUntil, eventId,
                    row.endpoint() == null ? null : row.endpoint().id(), row.url(), target, 0, row.body(),
                    e.occurredAt(), e.storeId(), row.endpoint());
        }

        Object[] args(Timestamp due, Timestamp createdAt, Timestamp updatedAt, Timestamp leaseUntil, String token) {
            return new Object[] {due, createdAt, updatedAt, leaseUntil, token,
                    rows.stream().map(r -> r.published().event().eventId().value()).toArray(String[]::new),
                    rows.stream().map(r -> r.published().event().invoiceId().value()).toArray(String[]::new),
                    rows.stream().map(r -> r.published().event().sequence()).toArray(Long[]::new),
                    rows.stream().map(r -> r.endpoint() == null ? null : r.endpoint().id()).toArray(String[]::new),
                    rows.stream().map(Row::url).toArray(String[]::new),
                    rows.stream().map(Row::target).toArray(String[]::new),
                    rows.stream().map(Row::state).toArray(String[]::new),
                    rows.stream().map(offered::contains).toArray(Boolean[]::new)};
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
