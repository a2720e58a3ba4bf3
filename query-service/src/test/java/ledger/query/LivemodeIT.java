package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import ledger.events.LedgerEvent;
import ledger.events.StoreId;
import ledger.support.auth.Scopes;
import ledger.testsupport.ApiClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Test and live are two ledgers of one store (SPEC §3): a key sees only its own mode's invoices, events,
 * reports and exports; the other mode's objects answer exactly like missing ones — also after a rebuild.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LivemodeIT extends QueryIntegrationTest {

    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    static final String[] ALL = {Scopes.INVOICES_READ, Scopes.EVENTS_READ, Scopes.REPORTS_READ};

    final StoreId store = StoreId.generate();
    String testKey;
    String liveKey;
    InvoiceHistory test;
    InvoiceHistory live;
    InvoiceHistory lateLive;
    final List<LedgerEvent> testEvents = new ArrayList<>();
    final List<LedgerEvent> liveEvents = new ArrayList<>();

    @BeforeAll
    void ledgers() throws Exception {
        testKey = keyFor(store, false, ALL);
        liveKey = keyFor(store, true, ALL);
        test = InvoiceHistory.of(store, "100.00", "USD");
        testEvents.add(test.create(T0, null, T0.plusSeconds(86_400)));
        testEvents.add(test.pay("40.00", T0.plusSeconds(1)));
        live = InvoiceHistory.live(store, "250.00", "USD");
        liveEvents.add(live.create(T0.plusSeconds(2), null, T0.plusSeconds(86_400)));
        liveEvents.add(live.pay("250.00", T0.plusSeconds(3)));
        for (LedgerEvent e : testEvents) {
            publish(e);
        }
        for (LedgerEvent e : liveEvents) {
            publish(e);
        }
        // Its payment is stored before its creation, so it gets the mode only when the creation arrives.
        lateLive = InvoiceHistory.live(store, "70.00", "USD");
        var created = lateLive.create(T0.plusSeconds(4), null, T0.plusSeconds(86_400));
        var paid = lateLive.pay("20.00", T0.plusSeconds(5));
        publish(paid);
        awaitProjected();
        publish(created);
        awaitProjected();
        liveEvents.add(created);
        liveEvents.add(paid);
    }

    ApiClient.Response get(String path, String key, String... headers) {
        return api().get(path, key, headers);
    }

    static void assertMissing(ApiClient.Response response) {
        assertThat(response.status()).as(response.raw()).isEqualTo(404);
        assertThat(response.json().get("code").asText()).isEqualTo("resource_missing");
    }

    static List<String> ids(ApiClient.Response list) {
        assertThat(list.status()).as(list.raw()).isEqualTo(200);
        var ids = new ArrayList<String>();
        list.json().get("data").forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    static List<String> eventIds(List<LedgerEvent> events) {
        return events.stream().map(e -> e.eventId().value()).toList();
    }

    @Test
    void oneInvoiceIsVisibleOnlyToItsOwnMode() {
        checkInvoiceReads();
    }

    void checkInvoiceReads() {
        for (var side : List.of(new Object[] {test, testKey, liveKey, false}, new Object[] {live, liveKey, testKey, true})) {
            var invoice = (InvoiceHistory) side[0];
            String own = (String) side[1];
            String other = (String) side[2];
            var view = get(invoice.path(), own);
            assertThat(view.status()).as(view.raw()).isEqualTo(200);
            assertThat(view.json().get("livemode").asBoolean()).isEqualTo(side[3]);
            assertMissing(get(invoice.path(), other));

            String asOf = invoice.path() + "?as_of=" + T0.plusSeconds(10);
            assertThat(get(asOf, own).status()).isEqualTo(200);
            assertMissing(get(asOf, other));

            assertThat(get(invoice.path() + "/status", own).status()).isEqualTo(200);
            assertMissing(get(invoice.path() + "/status", other));

            assertThat(ids(get(invoice.path() + "/events", own))).hasSize(2);
            assertMissing(get(invoice.path() + "/events", other));
        }
        // A read-your-writes wait looks in the key's own ledger only: the other mode's version never arrives.
        var waited = get(live.path(), testKey, "Ledger-Version", "1");
        assertMissing(waited);
        assertThat(waited.header("Ledger-Stale")).contains("true");
        var own = get(live.path(), liveKey, "Ledger-Version", "2");
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.header("Ledger-Stale")).isEmpty();
    }

    @Test
    void listsAndCursorsArePerMode() {
        checkLists();
        var cursor = get("/v1/invoices?starting_after=" + live.id().value(), testKey);
        assertThat(cursor.status()).isEqualTo(400);
        assertThat(cursor.json().get("code").asText()).isEqualTo("resource_missing");
        var eventCursor = get("/v1/events?ending_before=" + liveEvents.get(0).eventId().value(), testKey);
        assertThat(eventCursor.status()).isEqualTo(400);
        assertThat(ids(get("/v1/events?invoice=" + live.id().value(), testKey))).isEmpty();
    }

    void checkLists() {
        assertThat(ids(get("/v1/invoices", testKey))).containsExactly(test.id().value());
        assertThat(ids(get("/v1/invoices", liveKey))).containsExactly(lateLive.id().value(), live.id().value());
        assertThat(ids(get("/v1/events?limit=100", testKey))).containsExactlyInAnyOrderElementsOf(eventIds(testEvents));
        assertThat(ids(get("/v1/events?limit=100", liveKey))).containsExactlyInAnyOrderElementsOf(eventIds(liveEvents));
    }

    @Test
    void oneEventIsVisibleOnlyToItsOwnMode() {
        String testEvent = "/v1/events/" + testEvents.get(1).eventId().value();
        String liveEvent = "/v1/events/" + liveEvents.get(3).eventId().value(); // stored before its creation
        assertThat(get(testEvent, testKey).status()).isEqualTo(200);
        assertMissing(get(testEvent, liveKey));
        assertThat(get(liveEvent, liveKey).status()).isEqualTo(200);
        assertMissing(get(liveEvent, testKey));
    }

    @Test
    void reportsSumOnlyTheirOwnMode() {
        Consumer<JsonNode> testBalances = b -> {
            assertThat(b.get("invoiced").asText()).isEqualTo("100.00");
            assertThat(b.get("paid").asText()).isEqualTo("40.00");
            assertThat(b.get("outstanding").asText()).isEqualTo("60.00");
            assertThat(b.get("invoice_count").asLong()).isEqualTo(1);
        };
        Consumer<JsonNode> liveBalances = b -> {
            assertThat(b.get("invoiced").asText()).isEqualTo("320.00");
            assertThat(b.get("paid").asText()).isEqualTo("270.00");
            assertThat(b.get("outstanding").asText()).isEqualTo("50.00");
            assertThat(b.get("invoice_count").asLong()).isEqualTo(2);
        };
        var testReport = get("/v1/reports/balances", testKey).json().get("data");
        assertThat(testReport).hasSize(1);
        testBalances.accept(testReport.get(0));
        var liveReport = get("/v1/reports/balances", liveKey).json().get("data");
        assertThat(liveReport).hasSize(1);
        liveBalances.accept(liveReport.get(0));

        assertThat(get("/v1/reports/aging", testKey).json().get("data").get(0).get("outstanding").asText())
                .isEqualTo("60.00");
        assertThat(get("/v1/reports/aging", liveKey).json().get("data").get(0).get("outstanding").asText())
                .isEqualTo("50.00");
    }

    @Test
    void exportsHoldOnlyTheirOwnMode() throws Exception {
        assertThat(exported(testKey)).containsExactlyElementsOf(eventIds(testEvents));
        assertThat(exported(liveKey)).containsExactlyInAnyOrderElementsOf(eventIds(liveEvents));
    }

    List<String> exported(String key) throws Exception {
        var response = get("/v1/exports/events?format=ndjson", key);
        assertThat(response.status()).as(response.raw()).isEqualTo(200);
        var ids = new ArrayList<String>();
        for (String line : response.raw().split("\n")) {
            if (!line.isBlank()) {
                ids.add(RebuildIT.JSON.readTree(line).get("id").asText());
            }
        }
        return ids;
    }

    @Test
    void aRebuildKeepsEachInvoiceInItsMode() {
        var started = api().post(RebuildIT.BASE, ADMIN_TOKEN, null);
        assertThat(started.status()).as(started.raw()).isEqualTo(202);
        String id = started.json().get("id").asText();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(
                () -> !api().get(RebuildIT.BASE + "/" + id, ADMIN_TOKEN).json().get("state").asText().equals("running"));
        assertThat(api().get(RebuildIT.BASE + "/" + id, ADMIN_TOKEN).json().get("state").asText()).isEqualTo("completed");

        assertThat(jdbc.queryForList("SELECT livemode FROM invoice WHERE store_id = ? ORDER BY created_at",
                Boolean.class, store.value())).containsExactly(false, true, true);
        checkInvoiceReads();
        checkLists();
    }
}
