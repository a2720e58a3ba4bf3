package ledger.webhook.inbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.webhook.delivery.WebhookEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Records events in the inbox and publishes them as webhooks strictly in each invoice's sequence order,
 * keeping the invoice's view after the last published event ({@code invoice_state}). An event that
 * arrives before its predecessor waits in the inbox and is published as soon as the gap is filled, so
 * every payload carries the invoice exactly as it stood after its event.
 *
 * <p>A whole Kafka poll is one transaction of a fixed number of statements, however many events and
 * invoices it holds: the inbox rows, the invoices' locks, states and waiting events, the webhooks and
 * their deliveries, and the new states are each one statement over arrays.
 */
@Component
class InvoiceTimeline {

    /** An event as taken from Kafka, with its JSON as it is kept in the inbox. */
    record Received(LedgerEvent event, String json) {
    }

    private static final Logger log = LoggerFactory.getLogger(InvoiceTimeline.class);
    private static final ObjectMapper JSON = LedgerJson.mapper();

    private final JdbcTemplate jdbc;
    private final WebhookEvents webhooks;

    InvoiceTimeline(JdbcTemplate jdbc, WebhookEvents webhooks) {
        this.jdbc = jdbc;
        this.webhooks = webhooks;
    }

    /** Returns how many of the events are new (the others had been recorded before). */
    @Transactional
    int record(List<Received> batch) {
        Map<String, Received> byId = new LinkedHashMap<>();
        batch.forEach(r -> byId.putIfAbsent(r.event().eventId().value(), r));
        Set<String> inserted = insert(byId.values());
        if (inserted.isEmpty()) {
            return 0;
        }
        Map<String, List<Received>> fresh = new LinkedHashMap<>();
        for (Received r : byId.values()) {
            if (inserted.contains(r.event().eventId().value())) {
                fresh.computeIfAbsent(r.event().invoiceId().value(), id -> new ArrayList<>()).add(r);
            }
        }
        String[] invoices = new TreeSet<>(fresh.keySet()).toArray(String[]::new);
        // One writer per invoice at a time (a rebalance can briefly give two consumers the same partition);
        // always taken in the same order, so two such writers can't deadlock.
        jdbc.queryForList("""
                SELECT count(pg_advisory_xact_lock(h))
                FROM (SELECT DISTINCT hashtext(id) AS h FROM unnest(?::text[]) AS id ORDER BY h) locks""",
                (Object) invoices);
        Map<String, InvoiceView> views = new HashMap<>();
        jdbc.query("SELECT invoice_id, view FROM invoice_state WHERE invoice_id = ANY (?)",
                rs -> {
                    views.put(rs.getString(1), read(rs.getString(2), InvoiceView.class));
                }, (Object) invoices);
        Map<String, Map<Long, LedgerEvent>> due = waiting(invoices, views, inserted);
        fresh.forEach((invoice, events) -> events.forEach(r ->
                due.computeIfAbsent(invoice, id -> new HashMap<>()).putIfAbsent(r.event().sequence(), r.event())));

        List<WebhookEvents.Published> published = new ArrayList<>();
        List<Map.Entry<String, InvoiceView>> changed = new ArrayList<>();
        for (String invoice : invoices) {
            InvoiceView before = views.get(invoice);
            InvoiceView after = fold(invoice, before, due.getOrDefault(invoice, Map.of()), published);
            if (after != before) {
                changed.add(Map.entry(fresh.get(invoice).get(0).event().storeId().value(), after));
            }
        }
        webhooks.publish(published);
        save(changed);
        return inserted.size();
    }

    /** Inserts the events not in the inbox yet; returns their ids. */
    private Set<String> insert(Iterable<Received> events) {
        var columns = new ArrayList<List<Object>>();
        for (int i = 0; i < 7; i++) {
            columns.add(new ArrayList<>());
        }
        for (Received r : events) {
            LedgerEvent e = r.event();
            columns.get(0).add(e.eventId().value());
            columns.get(1).add(e.invoiceId().value());
            columns.get(2).add(e.storeId().value());
            columns.get(3).add(e.sequence());
            columns.get(4).add(e.type());
            columns.get(5).add(e.occurredAt().toString());
            columns.get(6).add(r.json());
        }
        Set<String> inserted = new HashSet<>();
        jdbc.query("""
                INSERT INTO event_inbox (event_id, invoice_id, store_id, sequence, type, occurred_at, payload)
                SELECT event_id, invoice_id, store_id, seq, type, occurred::timestamptz, payload::json
                FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[])
                     AS r(event_id, invoice_id, store_id, seq, type, occurred, payload)
                ON CONFLICT DO NOTHING
                RETURNING event_id""", rs -> {
                    inserted.add(rs.getString(1));
                }, columns.get(0).toArray(String[]::new), columns.get(1).toArray(String[]::new),
                columns.get(2).toArray(String[]::new), columns.get(3).toArray(Long[]::new),
                columns.get(4).toArray(String[]::new), columns.get(5).toArray(String[]::new),
                columns.get(6).toArray(String[]::new));
        return inserted;
    }

    /**
     * Events recorded by earlier polls that are still waiting for a predecessor, per invoice and sequence:
     * the first one received wins should a sequence come twice.
     */
    private Map<String, Map<Long, LedgerEvent>> waiting(String[] invoices, Map<String, InvoiceView> views,
                                                        Set<String> inserted) {
        Long[] versions = new Long[invoices.length];
        for (int i = 0; i < invoices.length; i++) {
            InvoiceView view = views.get(invoices[i]);
            versions[i] = view == null ? 0 : view.version();
        }
        Map<String, Map<Long, LedgerEvent>> waiting = new HashMap<>();
        jdbc.query("""
                SELECT i.event_id, i.payload FROM event_inbox i
                JOIN unnest(?::text[], ?::bigint[]) AS s(invoice_id, version)
                  ON i.invoice_id = s.invoice_id AND i.sequence > s.version
                ORDER BY i.received_at""", rs -> {
                    if (!inserted.contains(rs.getString(1))) {
                        LedgerEvent e = read(rs.getString(2), LedgerEvent.class);
                        waiting.computeIfAbsent(e.invoiceId().value(), id -> new HashMap<>())
                                .putIfAbsent(e.sequence(), e);
                    }
                }, invoices, versions);
        return waiting;
    }

    /**
     * Publishes the invoice's events that follow {@code view} without a gap, adding them to {@code published};
     * returns the view after the last of them ({@code view} itself when none could go).
     */
    private static InvoiceView fold(String invoice, InvoiceView view, Map<Long, LedgerEvent> events,
                                    List<WebhookEvents.Published> published) {
        long version = view == null ? 0 : view.version();
        for (LedgerEvent e = events.get(version + 1); e != null; e = events.get(version + 1)) {
            if (view == null) {
                if (!(e instanceof InvoiceCreated created)) {
                    log.error("Invoice {} starts with {} instead of InvoiceCreated; its webhooks wait", invoice,
                            e.type());
                    return null;
                }
                view = InvoiceView.created(created);
            } else {
                view = view.apply(e);
            }
            published.add(new WebhookEvents.Published(e, view));
            version = e.sequence();
        }
        long next = version + 1;
        if (events.keySet().stream().anyMatch(sequence -> sequence > next)) {
            log.info("Events of invoice {} wait for sequence {}", invoice, next);
        }
        return view;
    }

    /** Stores the invoices' views, each under its store. */
    private void save(List<Map.Entry<String, InvoiceView>> views) {
        if (views.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>();
        List<String> stores = new ArrayList<>();
        List<Long> versions = new ArrayList<>();
        List<String> json = new ArrayList<>();
        for (var entry : views) {
            ids.add(entry.getValue().id());
            stores.add(entry.getKey());
            versions.add(entry.getValue().version());
            json.add(write(entry.getValue()));
        }
        jdbc.update("""
                INSERT INTO invoice_state (invoice_id, store_id, version, view)
                SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[])
                ON CONFLICT (invoice_id) DO UPDATE SET version = excluded.version, view = excluded.view""",
                ids.toArray(String[]::new), stores.toArray(String[]::new), versions.toArray(Long[]::new),
                json.toArray(String[]::new));
    }

    private static String write(InvoiceView view) {
        try {
            return JSON.writeValueAsString(view);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("invoice view can't be written", e);
        }
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " is unreadable", e);
        }
    }
}
