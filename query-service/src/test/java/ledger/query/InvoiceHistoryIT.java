package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.StoreId;
import ledger.support.auth.Scopes;
import org.junit.jupiter.api.Test;

/** Time travel ({@code as_of}), read-your-writes ({@code Ledger-Version}) and an invoice's event history. */
class InvoiceHistoryIT extends QueryIntegrationTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T = Instant.parse("2026-05-04T10:00:00.123456Z");

    @Test
    void asOfAnswersMatchTheStateAfterEachEventOfTheHistory() throws Exception {
        var store = StoreId.generate();
        String key = keyFor(store, Scopes.INVOICES_READ);
        var invoice = InvoiceHistory.of(store, "100.00", "USD");
        var backdated = java.time.LocalDate.parse("2026-05-03");
        invoice.create(T, backdated, T.plusSeconds(4 * 3600));
        invoice.overdue(T.plusSeconds(1800), backdated);
        invoice.pay("40.00", T.plusSeconds(3600));
        invoice.pay("30.00", T.plusSeconds(2 * 3600));
        invoice.expire(T.plusSeconds(4 * 3600));
        List<LedgerEvent> events = invoice.events();
        for (LedgerEvent e : events) {
            publish(e);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api().get(invoice.path(), key).json().path("version").asLong() == 5);

        var before = api().get(invoice.path() + "?as_of=" + T.minusNanos(1000), key);
        assertThat(before.status()).isEqualTo(404);
        assertThat(before.json().get("code").asText()).isEqualTo("resource_missing");

        for (int k = 1; k <= events.size(); k++) {
            JsonNode expected = JSON.readTree(LedgerJson.mapper().writeValueAsString(
                    InvoiceView.replay(events.subList(0, k))));
            Instant at = events.get(k - 1).occurredAt();
            for (Instant asOf : List.of(at, at.plusSeconds(1800).minusNanos(1000))) {
                var response = api().get(invoice.path() + "?as_of=" + asOf, key);
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.json()).as("as of %s", asOf).isEqualTo(expected);
                assertThat(response.header("Ledger-Version")).contains(Integer.toString(k));
            }
        }
        // Overdue from its InvoiceOverdue on while it owes; once expired no longer, but when it went overdue stays.
        var overdue = api().get(invoice.path() + "?as_of=" + T.plusSeconds(1800), key).json();
        assertThat(overdue.get("overdue").asBoolean()).isTrue();
        assertThat(api().get(invoice.path() + "?as_of=" + T.plusSeconds(1799), key).json().get("overdue").asBoolean())
                .isFalse();
        var expired = api().get(invoice.path(), key).json();
        assertThat(expired.get("overdue").asBoolean()).isFalse();
        assertThat(expired.get("overdue_at").asText()).isEqualTo(overdue.get("overdue_at").asText());
        // An offset other than Z means the same instant.
        var offset = api().get(invoice.path() + "?as_of=2026-05-04T12:30:00%2B02:00", key).json();
        assertThat(offset.get("version").asLong()).isEqualTo(1); // 10:30Z: created, not paid yet
        var future = api().get(invoice.path() + "?as_of=2100-01-01T00:00:00Z", key);
        assertThat(future.status()).as("the future is not known yet").isEqualTo(400);
        assertThat(future.json().get("param").asText()).isEqualTo("as_of");
        assertThat(api().get(invoice.path() + "?as_of=last-tuesday", key).status()).isEqualTo(400);
    }

    @Test
    void aReadWithLedgerVersionWaitsForTheProjectionAndSaysWhenItGaveUp() throws Exception {
        var store = StoreId.generate();
        String key = keyFor(store, Scopes.INVOICES_READ);
        var invoice = InvoiceHistory.of(store, "10.00", "USD");
        publish(invoice.create(Instant.now(), null, Instant.now().plusSeconds(3600)));
        await().atMost(Duration.ofSeconds(20)).until(() -> api().get(invoice.path(), key).status() == 200);

        // Ask for version 2 first, then let it happen: the read waits for it instead of answering version 1.
        var http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> read = http.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + invoice.path()))
                .header("Authorization", "Bearer " + key).header("Ledger-Version", "2").build(),
                HttpResponse.BodyHandlers.ofString());
        publish(invoice.pay("2.50", Instant.now()));
        var response = read.get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("version").asLong()).isEqualTo(2);
        assertThat(JSON.readTree(response.body()).get("amount_paid").asText()).isEqualTo("2.50");
        assertThat(response.headers().firstValue("Ledger-Stale")).isEmpty();

        for (String path : List.of(invoice.path(), invoice.path() + "/status", invoice.path() + "/events")) {
            long start = System.nanoTime();
            var stale = api().get(path, key, "Ledger-Version", "3");
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(stale.status()).as(path).isEqualTo(200);
            assertThat(stale.header("Ledger-Stale")).as(path).contains("true");
            assertThat(waitedMs).as(path).isBetween(1900L, 5000L);
        }
        assertThat(api().get(invoice.path(), key, "Ledger-Version", "2").header("Ledger-Stale")).isEmpty();
        // A write acknowledged but not projected yet: after the wait, 404 — marked stale, not "never existed".
        var notYet = api().get("/v1/invoices/inv_notProjectedYet000000000", key, "Ledger-Version", "1");
        assertThat(notYet.status()).isEqualTo(404);
        assertThat(notYet.header("Ledger-Stale")).contains("true");
        assertThat(api().get("/v1/invoices/inv_notProjectedYet000000000", key).header("Ledger-Stale")).isEmpty();
        var bad = api().get(invoice.path(), key, "Ledger-Version", "two");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("param").asText()).isEqualTo("Ledger-Version");
    }

    @Test
    void theFeedFollowsTheLedgersCommitOrderNotArrivalOrder() throws Exception {
        var store = StoreId.generate();
        String key = keyFor(store, Scopes.EVENTS_READ, Scopes.INVOICES_READ);
        var a = InvoiceHistory.of(store, "5.000", "BHD");
        var b = InvoiceHistory.of(store, "7.00", "USD");
        var c = InvoiceHistory.of(store, "9.00", "USD");
        var a1 = a.create(T, null, T.plusSeconds(3600));
        var a2 = a.pay("1.250", T.plusSeconds(60));
        var b1 = b.create(T.plusSeconds(30), null, T.plusSeconds(3600));
        var c1 = c.create(T.plusSeconds(90), null, T.plusSeconds(3600));
        long p = nextPosition();
        nextPosition();
        nextPosition();
        // Committed a1, a2, b1 — but b1 reaches this service before a2 (another partition).
        publish(a1, p);
        publish(b1, p + 2);
        publish(a2, p + 1);
        publish(c1, null); // an older producer without the header: still listed, in a stable place
        awaitProjected();

        List<String> feed = ids(api().get("/v1/events?limit=10", key).json());
        assertThat(feed).hasSize(4);
        assertThat(feed.subList(0, 3)).containsExactly(id(b1), id(a2), id(a1));
        assertThat(feed).contains(id(c1));

        // Pages of one, forwards and back, visit the same sequence.
        var forward = new java.util.ArrayList<String>();
        String cursor = null;
        boolean more = true;
        while (more) {
            var page = api().get("/v1/events?limit=1" + (cursor == null ? "" : "&starting_after=" + cursor), key).json();
            forward.addAll(ids(page));
            more = page.get("has_more").asBoolean();
            cursor = forward.get(forward.size() - 1);
        }
        assertThat(forward).isEqualTo(feed);
        var back = api().get("/v1/events?limit=2&ending_before=" + feed.get(3), key).json();
        assertThat(ids(back)).isEqualTo(feed.subList(1, 3));
        assertThat(back.get("has_more").asBoolean()).isTrue();

        assertThat(ids(api().get("/v1/events?type=PaymentReceived", key).json())).containsExactly(id(a2));
        assertThat(ids(api().get("/v1/events?invoice=" + a.id(), key).json())).containsExactly(id(a2), id(a1));
        assertThat(ids(api().get("/v1/events?created%5Bgte%5D=" + T.plusSeconds(60), key).json()))
                .containsExactlyInAnyOrder(id(a2), id(c1));

        JsonNode event = api().get("/v1/events/" + id(a2), key).json();
        assertThat(event.get("id").asText()).isEqualTo(id(a2));
        assertThat(event.get("object").asText()).isEqualTo("event");
        assertThat(event.get("type").asText()).isEqualTo("PaymentReceived");
        assertThat(event.get("invoice").asText()).isEqualTo(a.id().value());
        assertThat(event.get("sequence").asLong()).isEqualTo(2);
        assertThat(event.get("created_at").asText()).isEqualTo(a2.occurredAt().toString());
        assertThat(event.get("data")).isEqualTo(JSON.readTree(LedgerJson.mapper().writerFor(LedgerEvent.class)
                .writeValueAsString(a2)));

        JsonNode history = api().get(a.path() + "/events", key).json();
        assertThat(ids(history)).containsExactly(id(a1), id(a2));
        JsonNode metadata = history.get("data").get(0).get("data").get("metadata");
        assertThat(metadata.has("channel")).isTrue();
        assertThat(metadata.has("api_key")).as("secret-looking metadata never leaves the event store").isFalse();
        assertThat(history.get("has_more").asBoolean()).isFalse();

        String invoicesOnly = keyFor(store, Scopes.INVOICES_READ);
        assertThat(api().get("/v1/events", invoicesOnly).status()).isEqualTo(403);
        assertThat(api().get("/v1/events/" + id(a2), keyFor(StoreId.generate(), Scopes.EVENTS_READ)).status())
                .isEqualTo(404);
        assertThat(api().get("/v1/events?type=InvoicePaid", key).json().get("param").asText()).isEqualTo("type");
        assertThat(api().get("/v1/events?invoice=evt_1", key).status()).isEqualTo(400);
        assertThat(api().get("/v1/events?limit=500", key).status()).isEqualTo(400);
    }

    @Test
    void webhookNamesFilterTheFeedAndTheExportLikeTheWebhooksTheyNamed() throws Exception {
        var store = StoreId.generate();
        String key = keyFor(store, Scopes.EVENTS_READ);
        var x = InvoiceHistory.of(store, "10.00", "USD");
        var y = InvoiceHistory.of(store, "5.00", "USD");
        var z = InvoiceHistory.of(store, "3.00", "USD");
        var x1 = x.create(T, null, T.plusSeconds(3600));
        var x2 = x.pay("4.00", T.plusSeconds(1));
        var x3 = x.pay("6.00", T.plusSeconds(2));
        var y1 = y.create(T.plusSeconds(3), null, T.plusSeconds(3600));
        var y2 = y.pay("7.00", T.plusSeconds(4));
        var z1 = z.create(T.plusSeconds(5), null, T.plusSeconds(3600));
        var z2 = z.cancel(T.plusSeconds(6));
        for (LedgerEvent e : List.of(x1, x2, x3, y1, y2, z1, z2)) {
            publish(e);
        }
        awaitProjected();

        assertThat(feed("?type=invoice.paid", key)).containsExactly(id(y2), id(x3));
        assertThat(feed("?type=invoice.partially_paid", key)).containsExactly(id(x2));
        assertThat(feed("?type=invoice.created", key)).containsExactly(id(z1), id(y1), id(x1));
        assertThat(feed("?type=invoice.cancelled", key)).containsExactly(id(z2));
        assertThat(feed("?type=PaymentReceived", key)).containsExactly(id(y2), id(x3), id(x2));
        assertThat(feed("?type=invoice.paid&invoice=" + x.id(), key)).containsExactly(id(x3));

        // Exports honour the same filters (oldest first).
        assertThat(exported("?type=invoice.paid", key)).containsExactly(id(x3), id(y2));
        assertThat(exported("?invoice=" + x.id(), key)).containsExactly(id(x1), id(x2), id(x3));
        assertThat(exported("?type=PaymentReceived&invoice=" + x.id(), key)).containsExactly(id(x2), id(x3));
        for (String bad : List.of("?type=InvoicePaid", "?invoice=evt_1")) {
            var response = api().get("/v1/exports/events" + bad, key);
            assertThat(response.status()).as(bad).isEqualTo(400);
            assertThat(response.json().get("param").asText()).isEqualTo(bad.substring(1, bad.indexOf('=')));
        }
    }

    @Test
    void anInvoicesHistoryIsPagedLikeEveryList() throws Exception {
        var store = StoreId.generate();
        String key = keyFor(store, Scopes.INVOICES_READ);
        var x = InvoiceHistory.of(store, "10.00", "USD");
        var x1 = x.create(T, null, T.plusSeconds(3600));
        var x2 = x.pay("4.00", T.plusSeconds(1));
        var x3 = x.pay("6.00", T.plusSeconds(2));
        for (LedgerEvent e : List.of(x1, x2, x3)) {
            publish(e);
        }
        awaitProjected();
        String history = x.path() + "/events";

        var first = api().get(history + "?limit=2", key).json();
        assertThat(first.get("object").asText()).isEqualTo("list");
        assertThat(ids(first)).containsExactly(id(x1), id(x2));
        assertThat(first.get("has_more").asBoolean()).isTrue();
        var rest = api().get(history + "?limit=2&starting_after=" + id(x2), key).json();
        assertThat(ids(rest)).containsExactly(id(x3));
        assertThat(rest.get("has_more").asBoolean()).isFalse();
        var back = api().get(history + "?limit=1&ending_before=" + id(x3), key).json();
        assertThat(ids(back)).containsExactly(id(x2));
        assertThat(back.get("has_more").asBoolean()).isTrue();
        assertThat(ids(api().get(history + "?starting_after=" + id(x3), key).json())).isEmpty();

        for (String bad : List.of("?limit=0", "?limit=101", "?starting_after=" + id(x1) + "&ending_before=" + id(x3),
                "?starting_after=evt_nope")) {
            var response = api().get(history + bad, key);
            assertThat(response.status()).as(bad).isEqualTo(400);
        }
        assertThat(api().get(history + "?limit=0", key).json().get("param").asText()).isEqualTo("limit");
    }

    List<String> feed(String query, String key) {
        var response = api().get("/v1/events" + query, key);
        assertThat(response.status()).as(response.raw()).isEqualTo(200);
        return ids(response.json());
    }

    List<String> exported(String query, String key) throws Exception {
        var response = api().get("/v1/exports/events" + query, key);
        assertThat(response.status()).as(response.raw()).isEqualTo(200);
        var ids = new java.util.ArrayList<String>();
        for (String line : response.raw().split("\n")) {
            ids.add(JSON.readTree(line).get("id").asText());
        }
        return ids;
    }

    static String id(LedgerEvent e) {
        return e.eventId().value();
    }

    static List<String> ids(JsonNode page) {
        var ids = new java.util.ArrayList<String>();
        page.get("data").forEach(n -> ids.add(n.get("id").asText()));
        return ids;
    }
}
