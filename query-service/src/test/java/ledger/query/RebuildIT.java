package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.concurrent.Future;
import ledger.events.CreditNoteReason;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.LineItem;
import ledger.events.Money;
import ledger.events.StoreId;
import ledger.query.ledger.LedgerEvents;
import ledger.support.auth.Scopes;
import org.junit.jupiter.api.Test;

/**
 * Projection rebuilds: the rebuilt invoice table equals the live one row for row (checksums), also
 * when events keep arriving while the rebuild replays; progress is pollable; one at a time.
 */
class RebuildIT extends QueryIntegrationTest {

    static final String BASE = "/admin/v1/projections/invoices/rebuild";
    static final ObjectMapper JSON = new ObjectMapper();

    List<InvoiceHistory> fixture(StoreId store, int invoices) throws Exception {
        Instant t = Instant.parse("2026-07-01T00:00:00Z");
        var sent = new ArrayList<Future<?>>();
        var all = new ArrayList<InvoiceHistory>();
        for (int i = 0; i < invoices; i++) {
            var invoice = InvoiceHistory.of(store, "50.00", "USD");
            sent.add(send(invoice.create(t.plusSeconds(i), null, t.plusSeconds(86_400)), nextPosition()));
            if (i % 2 == 0) {
                sent.add(send(invoice.pay("10.00", t.plusSeconds(i + 1)), nextPosition()));
            }
            if (i % 5 == 0) {
                sent.add(send(invoice.pay("40.00", t.plusSeconds(i + 2)), nextPosition()));
            }
            if (i % 3 == 0 && i % 5 != 0) { // went overdue while still owing
                sent.add(send(invoice.overdue(t.plusSeconds(i + 3), java.time.LocalDate.parse("2026-06-30")),
                        nextPosition()));
            }
            if (i % 7 == 1 && i % 5 != 0) { // a credit note lowered what it still asks for
                sent.add(send(invoice.credit("5.00", CreditNoteReason.ORDER_CHANGE, t.plusSeconds(i + 4)),
                        nextPosition()));
            }
            if (i % 10 == 0) { // paid in full, then part of it given back
                sent.add(send(invoice.refund("15.00", null, t.plusSeconds(i + 5)), nextPosition()));
            }
            all.add(invoice);
        }
        for (var f : sent) {
            f.get();
        }
        awaitProjected();
        return all;
    }

    JsonNode start(String body) {
        var response = api().post(BASE, ADMIN_TOKEN, body);
        assertThat(response.status()).as(response.raw()).isEqualTo(202);
        assertThat(response.header("Location")).contains(BASE + "/" + response.json().get("id").asText());
        return response.json();
    }

    JsonNode awaitFinished(String id) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> !api().get(BASE + "/" + id, ADMIN_TOKEN).json().get("state").asText().equals("running"));
        return api().get(BASE + "/" + id, ADMIN_TOKEN).json();
    }

    String invoices() {
        return checksum("invoice", "t.id");
    }

    /** Every invoice row holds exactly the fold of its stored events (independent of either writer). */
    void assertEveryRowIsTheFoldOfItsEvents(StoreId store) throws Exception {
        var rows = jdbc.queryForList("SELECT id, view::text FROM invoice WHERE store_id = ?", store.value());
        for (var row : rows) {
            var history = jdbc.query("SELECT payload FROM ledger_event WHERE invoice_id = ? ORDER BY sequence",
                    (rs, i) -> LedgerEvents.parse(rs.getString(1)), row.get("id"));
            var expected = InvoiceView.foldGapFree(history).orElseThrow();
            assertThat(JSON.readTree((String) row.get("view")))
                    .isEqualTo(JSON.readTree(LedgerJson.mapper().writeValueAsString(expected)));
        }
        long withCreation = jdbc.queryForObject(
                "SELECT count(*) FROM ledger_event WHERE sequence = 1 AND type = 'InvoiceCreated'", Long.class);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM invoice", Long.class)).isEqualTo(withCreation);
    }

    @Test
    void aRebuildReproducesTheLiveTableExactlyAndReportsItsProgress() throws Exception {
        var store = StoreId.generate();
        fixture(store, 300);
        String live = invoices();
        long total = jdbc.queryForObject("SELECT count(*) FROM ledger_event", Long.class);

        var started = start(null);
        assertThat(started.get("object").asText()).isEqualTo("projection_rebuild");
        assertThat(started.get("projection").asText()).isEqualTo("invoices");
        var done = awaitFinished(started.get("id").asText());

        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("completed");
        assertThat(done.get("phase").asText()).isEqualTo("done");
        assertThat(done.get("total_events").asLong()).isEqualTo(total);
        assertThat(done.get("processed_events").asLong()).isEqualTo(total);
        assertThat(done.get("percent").asDouble()).isEqualTo(100.0);
        assertThat(done.get("events_per_second").asLong()).isPositive();
        assertThat(done.get("finished_at").isNull()).isFalse();
        assertThat(api().get(BASE, ADMIN_TOKEN).json().get("id")).isEqualTo(started.get("id"));

        assertThat(invoices()).isEqualTo(live);
        assertThat(checksum("invoice_previous", "t.id")).isEqualTo(live);
        assertThat(jdbc.queryForObject("SELECT to_regclass('invoice_rebuild')", String.class)).isNull();
        assertThat(jdbc.queryForObject("SELECT to_regclass('invoice_replayed')", String.class)).isNull();
        // The swapped-in table carries the live table's index names (later migrations may refer to them).
        assertThat(jdbc.queryForList("SELECT indexname FROM pg_indexes WHERE schemaname = 'query' AND tablename = 'invoice'",
                String.class)).containsExactlyInAnyOrder("invoice_pkey", "invoice_store_created",
                "invoice_store_status_created", "invoice_store_external_order", "invoice_checkout_token",
                "invoice_store_overdue_created", "invoice_store_number");
        // A checkout token opens exactly one invoice, also after a swap.
        assertThat(jdbc.queryForObject("SELECT indexdef FROM pg_indexes WHERE schemaname = 'query' "
                + "AND indexname = 'invoice_checkout_token'", String.class)).startsWith("CREATE UNIQUE INDEX");
        assertEveryRowIsTheFoldOfItsEvents(store);
    }

    @Test
    void afterTheSwapAnInvoicesNextEventFoldsItsHistoryNotAViewAnOlderFoldStored() throws Exception {
        var store = StoreId.generate();
        var invoice = fixture(store, 1).get(0);
        // What a consumer running an older fold would have stored for the invoice: the view its next event
        // is folded onto.
        jdbc.update("UPDATE invoice SET view = jsonb_set(view::jsonb, '{description}', '\"stale fold\"')::json"
                + " WHERE id = ?", invoice.id().value());

        var done = awaitFinished(start(null).get("id").asText());
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("completed");

        send(invoice.pay("1.00", Instant.parse("2026-07-02T00:00:00Z")), nextPosition()).get();
        awaitProjected();
        assertEveryRowIsTheFoldOfItsEvents(store);
    }

    /**
     * A ledger from before line items holds revision 1 InvoiceCreated events; the live projection read them as
     * invoices without lines, and a rebuild of that ledger (beside newer, itemised invoices) equals it.
     */
    @Test
    void anOldLedgerOfRevision1EventsRebuildsToTheLiveTable() throws Exception {
        var store = StoreId.generate();
        Instant t = Instant.parse("2026-07-04T00:00:00Z");
        var usd = Currency.getInstance("USD");
        List<InvoiceHistory> old = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            var invoice = InvoiceHistory.of(store, "12.00", "USD");
            var created = invoice.create(t.plusSeconds(i), null, t.plusSeconds(3600));
            var revision1 = (ObjectNode) JSON.readTree(LedgerJson.mapper().writerFor(LedgerEvent.class)
                    .writeValueAsString(created));
            revision1.remove("line_items");
            revision1.put("schema_revision", 1);
            send(created, JSON.writeValueAsString(revision1), nextPosition()).get();
            publish(invoice.pay("5.00", t.plusSeconds(i + 1)));
            old.add(invoice);
        }
        var itemised = InvoiceHistory.ofLines(store,
                LineItem.compute("Widget", new BigDecimal("1.5"), Money.parse("3.33", usd),
                        new BigDecimal("12.5"), new BigDecimal("19")));
        publish(itemised.create(t, null, t.plusSeconds(3600)));
        awaitProjected();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ledger_event WHERE invoice_id = ? AND payload::text"
                + " LIKE '%\"schema_revision\":1%'", Long.class, old.get(0).id().value())).isEqualTo(1);
        String live = invoices();

        var done = awaitFinished(start(null).get("id").asText());

        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("completed");
        assertThat(invoices()).isEqualTo(live);
        assertEveryRowIsTheFoldOfItsEvents(store);
        var oldView = JSON.readTree(jdbc.queryForObject("SELECT view::text FROM invoice WHERE id = ?", String.class,
                old.get(0).id().value()));
        assertThat(oldView.get("line_items").isArray()).isTrue();
        assertThat(oldView.get("line_items").isEmpty()).isTrue();
        assertThat(oldView.get("amount_due").asText()).isEqualTo("7.00");
        var itemisedView = JSON.readTree(jdbc.queryForObject("SELECT view::text FROM invoice WHERE id = ?",
                String.class, itemised.id().value()));
        // 1.5 × 3.33 = 4.995 (5.00), − 12.5 % = 4.370625 (4.37), + 19 % = 5.20104375 (5.20)
        assertThat(itemisedView.at("/line_items/0/amount_total").asText()).isEqualTo("5.20");
        assertThat(itemisedView.at("/line_items/0/amount_discount").asText()).isEqualTo("0.63");
        assertThat(itemisedView.get("amount").asText()).isEqualTo("5.20");
    }

    @Test
    void textThatCopyMustEscapeIsRebuiltByteForByte() throws Exception {
        var store = StoreId.generate();
        Instant t = Instant.parse("2026-07-03T00:00:00Z");
        String[] awkward = {"tab\there", "line\nbreak\r\n", "back\\slash \\N \\. \"quoted\"", "\\", "ünïcødé 😀 €"};
        for (int i = 0; i < awkward.length; i++) {
            var invoice = InvoiceHistory.of(store, "5.00", "EUR");
            publish(invoice.create(t.plusSeconds(i), null, t.plusSeconds(3600), awkward[i], "about " + awkward[i]));
            publish(invoice.pay("1.00", t.plusSeconds(i + 1)));
        }
        awaitProjected();
        String live = invoices();

        var done = awaitFinished(start(null).get("id").asText());

        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("completed");
        assertThat(invoices()).isEqualTo(live);
        assertThat(jdbc.queryForList("SELECT external_order_id FROM invoice WHERE store_id = ?", String.class,
                store.value())).containsExactlyInAnyOrder(awkward);
        assertEveryRowIsTheFoldOfItsEvents(store);
    }

    @Test
    void eventsArrivingDuringTheRebuildAreInTheSwappedInTable() throws Exception {
        var store = StoreId.generate();
        String key = keyFor(store, Scopes.INVOICES_READ);
        var existing = fixture(store, 200);
        // Paced slowly, so the events below certainly land while it replays; then let loose.
        var started = start("{\"max_events_per_second\": 20}");
        String id = started.get("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            var status = api().get(BASE + "/" + id, ADMIN_TOKEN).json();
            return status.get("processed_events").asLong() > 0;
        });

        // The live writers keep only the key up to date on the side; the indexes come after the load.
        assertThat(jdbc.queryForList("SELECT indexname FROM pg_indexes WHERE schemaname = 'query' "
                + "AND tablename = 'invoice_rebuild'", String.class)).containsExactly("invoice_rebuild_pkey");

        // New invoices, and new versions of invoices the rebuild may or may not have replayed already.
        Instant t = Instant.parse("2026-07-02T00:00:00Z");
        var sent = new ArrayList<Future<?>>();
        var fresh = new ArrayList<InvoiceHistory>();
        for (int i = 0; i < 50; i++) {
            var invoice = InvoiceHistory.of(store, "3.00", "USD");
            sent.add(send(invoice.create(t.plusSeconds(i), null, t.plusSeconds(3600)), nextPosition()));
            sent.add(send(invoice.pay("1.00", t.plusSeconds(i + 1)), nextPosition()));
            fresh.add(invoice);
        }
        for (int i = 1; i < existing.size(); i += 3) {
            if (i % 10 == 0) {
                continue; // paid in full: final
            }
            InvoiceHistory invoice = existing.get(i);
            LedgerEvent next = i % 2 == 1 ? invoice.expire(t.plusSeconds(i)) : invoice.pay("0.50", t);
            sent.add(send(next, nextPosition()));
        }
        for (var f : sent) {
            f.get();
        }
        awaitProjected();
        assertThat(api().get(BASE + "/" + id, ADMIN_TOKEN).json().get("state").asText())
                .as("the new events must arrive while the rebuild runs").isEqualTo("running");
        var unpaced = api().send("PATCH", BASE + "/" + id, ADMIN_TOKEN, "{\"max_events_per_second\": null}");
        assertThat(unpaced.status()).isEqualTo(200);
        assertThat(unpaced.json().get("max_events_per_second").isNull()).isTrue();

        var done = awaitFinished(id);
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("completed");
        awaitProjected();
        // The live table kept up until the swap; the swapped-in one holds the very same rows.
        assertThat(invoices()).isEqualTo(checksum("invoice_previous", "t.id"));
        assertEveryRowIsTheFoldOfItsEvents(store);
        assertThat(api().get(fresh.get(49).path(), key).json().get("amount_paid").asText()).isEqualTo("1.00");

        // And the live consumer writes into the swapped-in table afterwards.
        var after = InvoiceHistory.of(store, "8.00", "USD");
        publish(after.create(t, null, t.plusSeconds(3600)));
        await().atMost(Duration.ofSeconds(20)).until(() -> api().get(after.path(), key).status() == 200);
    }

    @Test
    void oneRebuildAtATimeItCanBeCancelledAndItIsAdminOnly() throws Exception {
        String live = invoices();
        var started = start("{\"max_events_per_second\": 10}");
        String id = started.get("id").asText();

        var second = api().post(BASE, ADMIN_TOKEN, null);
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json().get("code").asText()).isEqualTo("rebuild_in_progress");

        var cancelled = api().send("DELETE", BASE + "/" + id, ADMIN_TOKEN, null);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(awaitFinished(id).get("state").asText()).isEqualTo("cancelled");
        await().atMost(Duration.ofSeconds(10)).until(
                () -> jdbc.queryForObject("SELECT to_regclass('invoice_rebuild')", String.class) == null);
        // The half-loaded table went with the cancelled load's transaction.
        assertThat(jdbc.queryForObject("SELECT to_regclass('invoice_replayed')", String.class)).isNull();
        assertThat(invoices()).isEqualTo(live);

        assertThat(api().post(BASE, null, null).status()).isEqualTo(401);
        assertThat(api().get(BASE, keyFor(StoreId.generate(), Scopes.INVOICES_READ)).status()).isEqualTo(401);
        assertThat(api().get(BASE + "/rb_nope", ADMIN_TOKEN).status()).isEqualTo(404);
        assertThat(api().post(BASE, ADMIN_TOKEN, "{\"max_events_per_second\": 0}").status()).isEqualTo(400);
    }
}
