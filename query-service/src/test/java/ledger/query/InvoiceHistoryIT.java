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
        invoice.create(T, java.time.LocalDate.parse("2026-05-10"), T.plusSeconds(4 * 3600));
        invoice.pay("40.00", T.plusSeconds(3600));
        invoice.pay("30.00", T.plusSeconds(2 * 3600));
        invoice.expire(T.plusSeconds(4 * 3600));
        List<LedgerEvent> events = invoice.events();
        for (LedgerEvent e : events) {
            publish(e);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api().get(invoice.path(), key).json().path("version").asLong() == 4);

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
        // An offset other than Z means the same instant.
        var offset = api().get(invoice.path() + "?as_of=2026-05-04T12:30:00%2B02:00", key).json();
        assertThat(offset.get("version").asLong()).isEqualTo(1); // 10:30Z: created, not paid yet
        assertThat(api().get(invoice.path() + "?as_of=2100-01-01T00:00:00Z", key).json())
                .isEqualTo(api().get(invoice.path(), key).json());
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

    static String id(LedgerEvent e) {
        return e.eventId().value();
    }

    static List<String> ids(JsonNode page) {
        var ids = new java.util.ArrayList<String>();
        page.get("data").forEach(n -> ids.add(n.get("id").asText()));
        return ids;
    }
}
