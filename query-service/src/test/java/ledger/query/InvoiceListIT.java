package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Future;
import ledger.events.StoreId;
import ledger.support.auth.Scopes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code GET /v1/invoices}: cursor pages over 250 invoices, filters, and the 400s of bad parameters. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvoiceListIT extends QueryIntegrationTest {

    static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");
    StoreId store = StoreId.generate();
    String key;
    List<InvoiceHistory> invoices = new ArrayList<>();

    /** 250 invoices; groups of 50 share one created_at to the microsecond, so only the id breaks ties. */
    @BeforeAll
    void invoices() throws Exception {
        key = keyFor(store, Scopes.INVOICES_READ);
        var sent = new ArrayList<Future<?>>();
        for (int i = 0; i < 250; i++) {
            var invoice = InvoiceHistory.of(store, (i + 1) + ".00", "USD").withNumber(InvoiceListIT.number(i));
            Instant created = T0.plusSeconds(60L * (i / 50));
            sent.add(send(invoice.create(created, null, created.plusSeconds(86_400), "order-" + i, null), nextPosition()));
            if (i % 3 == 0) {
                sent.add(send(invoice.pay("1.00", created.plusSeconds(1)), nextPosition()));
            }
            if (i % 5 == 1) { // 50 invoices went overdue; the first of them was then cancelled
                sent.add(send(invoice.overdue(created.plusSeconds(2), java.time.LocalDate.parse("2026-02-28")),
                        nextPosition()));
                if (i == 1) {
                    sent.add(send(invoice.cancel(created.plusSeconds(3)), nextPosition()));
                }
            }
            invoices.add(invoice);
        }
        for (var f : sent) {
            f.get();
        }
        awaitProjected();
    }

    static String number(int i) {
        return "INV-%06d".formatted(i + 1);
    }

    List<String> expectedNewestFirst() {
        return jdbc.queryForList("SELECT id FROM invoice WHERE store_id = ? ORDER BY created_at DESC, id DESC",
                String.class, store.value());
    }

    @Test
    void startingAfterVisitsEveryInvoiceOnceNewestFirstAndEndingBeforeWalksBack() {
        List<String> forward = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        boolean more = true;
        while (more) {
            var page = api().get("/v1/invoices?limit=40" + (cursor == null ? "" : "&starting_after=" + cursor), key)
                    .json();
            assertThat(page.get("object").asText()).isEqualTo("list");
            for (JsonNode invoice : page.get("data")) {
                forward.add(invoice.get("id").asText());
            }
            more = page.get("has_more").asBoolean();
            cursor = forward.get(forward.size() - 1);
            pages++;
        }
        assertThat(pages).isEqualTo(7); // 6 × 40 + 10
        assertThat(forward).hasSize(250).doesNotHaveDuplicates().isEqualTo(expectedNewestFirst());
        assertThat(new HashSet<>(forward)).isEqualTo(invoices.stream().map(i -> i.id().value())
                .collect(java.util.stream.Collectors.toSet()));

        // Back from the oldest: each page holds the next newer invoices, still newest first.
        List<String> backward = new ArrayList<>();
        cursor = forward.get(forward.size() - 1);
        more = true;
        while (more) {
            var page = api().get("/v1/invoices?limit=40&ending_before=" + cursor, key).json();
            var ids = new ArrayList<String>();
            page.get("data").forEach(n -> ids.add(n.get("id").asText()));
            backward.addAll(0, ids);
            more = page.get("has_more").asBoolean();
            cursor = ids.get(0);
        }
        assertThat(backward).hasSize(249).doesNotHaveDuplicates().isEqualTo(forward.subList(0, 249));
    }

    @Test
    void filtersByStatusExternalOrderIdAndCreatedRange() throws Exception {
        var partial = api().get("/v1/invoices?limit=100&status=partially_paid", key).json();
        // Invoices 0, 3, …, 249 got 1.00: invoice 0 (amount 1.00) is paid by it, the other 83 partially.
        assertThat(partial.get("data")).hasSize(83);
        partial.get("data").forEach(n -> assertThat(n.get("status").asText()).isEqualTo("partially_paid"));
        assertThat(api().get("/v1/invoices?status=paid", key).json().get("data")).hasSize(1);

        var one = api().get("/v1/invoices?external_order_id=order-17", key).json().get("data");
        assertThat(one).hasSize(1);
        assertThat(one.get(0).get("id").asText()).isEqualTo(invoices.get(17).id().value());

        var numbered = api().get("/v1/invoices?number=" + number(41), key).json().get("data");
        assertThat(numbered).hasSize(1);
        assertThat(numbered.get(0).get("id").asText()).isEqualTo(invoices.get(41).id().value());
        assertThat(numbered.get(0).get("number").asText()).isEqualTo("INV-000042");
        assertThat(api().get("/v1/invoices?number=INV-999999", key).json().get("data")).isEmpty();

        // Groups are one minute apart: [T0+60s, T0+180s) holds groups 1 and 2.
        String encoded = "/v1/invoices?limit=100&created%5Bgte%5D=2026-03-01T09:01:00Z&created%5Blt%5D=2026-03-01T09:03:00Z";
        assertThat(api().get(encoded, key).json().get("data")).hasSize(100);
        String raw = "/v1/invoices?limit=100&created[gt]=2026-03-01T09:01:00Z&created[lt]=2026-03-01T10:03:00+01:00";
        var rawPage = mapper().readTree(rawGet(raw));
        assertThat(rawPage.get("data")).hasSize(50); // only group 2: > 09:01Z and < 09:03Z (a raw + arrives as a space)
        rawPage.get("data").forEach(n -> assertThat(n.get("created_at").asText()).isEqualTo("2026-03-01T09:02:00Z"));
    }

    @Test
    void overdueListsTheInvoicesOverdueNowAndFalseTheOthers() {
        var overdue = api().get("/v1/invoices?limit=100&overdue=true", key).json().get("data");
        var expected = new ArrayList<String>();
        for (int i = 6; i < 250; i += 5) {
            expected.add(invoices.get(i).id().value());
        }
        assertThat(overdue).hasSize(49);
        overdue.forEach(n -> {
            assertThat(n.get("overdue").asBoolean()).isTrue();
            assertThat(n.get("overdue_at").asText()).startsWith("2026-03-01T09:");
        });
        var ids = new ArrayList<String>();
        overdue.forEach(n -> ids.add(n.get("id").asText()));
        assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
        // filters combine: overdue ones that are also partially paid (every third of them)
        assertThat(api().get("/v1/invoices?limit=100&overdue=true&status=partially_paid", key).json().get("data"))
                .hasSize(17);

        String cancelled = invoices.get(1).id().value();
        var notOverdue = new ArrayList<String>();
        String cursor = null;
        boolean more = true;
        while (more) {
            var page = api().get("/v1/invoices?limit=100&overdue=false"
                    + (cursor == null ? "" : "&starting_after=" + cursor), key).json();
            page.get("data").forEach(n -> notOverdue.add(n.get("id").asText()));
            more = page.get("has_more").asBoolean();
            cursor = notOverdue.get(notOverdue.size() - 1);
        }
        assertThat(notOverdue).hasSize(201).contains(cancelled).doesNotContainAnyElementsOf(expected);
        var wasOverdue = api().get(invoices.get(1).path(), key).json();
        assertThat(wasOverdue.get("status").asText()).isEqualTo("cancelled");
        assertThat(wasOverdue.get("overdue").asBoolean()).isFalse();
        assertThat(wasOverdue.get("overdue_at").asText()).isEqualTo("2026-03-01T09:00:02Z");
    }

    @Test
    void badParametersAre400sWithCodes() {
        assertError("/v1/invoices?limit=0", "parameter_invalid", "limit");
        assertError("/v1/invoices?limit=101", "parameter_invalid", "limit");
        assertError("/v1/invoices?limit=ten", "parameter_invalid", "limit");
        String a = invoices.get(0).id().value();
        assertError("/v1/invoices?starting_after=" + a + "&ending_before=" + a, "parameter_invalid", "ending_before");
        assertError("/v1/invoices?status=unpaid", "parameter_invalid", "status");
        assertError("/v1/invoices?overdue=yes", "parameter_invalid", "overdue");
        assertError("/v1/invoices?overdue=", "parameter_invalid", "overdue");
        assertError("/v1/invoices?created%5Bgte%5D=yesterday", "parameter_invalid", "created[gte]");
        assertError("/v1/invoices?starting_after=inv_unknown0000", "resource_missing", "starting_after");
        assertError(invoices.get(0).path() + "?as_of=2026-13-01", "parameter_invalid", "as_of");
    }

    void assertError(String path, String code, String param) {
        var response = api().get(path, key);
        assertThat(response.status()).as(path).isEqualTo(400);
        assertThat(response.json().get("code").asText()).as(path).isEqualTo(code);
        assertThat(response.json().get("param").asText()).as(path).isEqualTo(param);
        assertThat(response.json().get("request_id").asText()).startsWith("req_");
    }

    static ObjectMapper mapper() {
        return new ObjectMapper();
    }

    /** A GET with the query exactly as given (java.net.URI refuses raw brackets); returns the body of a 200. */
    String rawGet(String pathAndQuery) throws Exception {
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            var all = new ByteArrayOutputStream();
            in.transferTo(all);
            String response = all.toString(StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200");
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            if (response.toLowerCase().contains("transfer-encoding: chunked")) {
                body = dechunk(body);
            }
            return body;
        }
    }

    static String dechunk(String body) {
        var out = new StringBuilder();
        int i = 0;
        while (true) {
            int eol = body.indexOf("\r\n", i);
            int size = Integer.parseInt(body.substring(i, eol).trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(body, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
    }
}
