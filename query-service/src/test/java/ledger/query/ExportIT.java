package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.StoreId;
import ledger.support.auth.Scopes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code GET /v1/exports/events} over 20,000 events: NDJSON and CSV, streamed, complete and in commit order. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportIT extends QueryIntegrationTest {

    static final int INVOICES = 5_000;
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T0 = Instant.parse("2026-04-01T00:00:00Z");
    StoreId store = StoreId.generate();
    String key;
    List<LedgerEvent> published = new ArrayList<>();

    @BeforeAll
    void twentyThousandEvents() throws Exception {
        key = keyFor(store, Scopes.EVENTS_READ);
        var sent = new ArrayList<Future<?>>();
        for (int i = 0; i < INVOICES; i++) {
            var invoice = InvoiceHistory.of(store, "100.00", "USD");
            Instant at = T0.plusSeconds(i);
            // Commas, quotes and a line break inside the event JSON exercise CSV quoting.
            invoice.create(at, LocalDate.parse("2026-05-01"), at.plusSeconds(86_400), "order-" + i,
                    "Two \"big\" coffees,\none bagel");
            invoice.pay("30.00", at.plusMillis(100));
            invoice.pay("20.00", at.plusMillis(200));
            invoice.expire(at.plusMillis(300));
            published.addAll(invoice.events());
        }
        // Commit order interleaves invoices: all creations first, then payments, then expiries.
        published.sort(java.util.Comparator.comparingLong(LedgerEvent::sequence));
        for (LedgerEvent e : published) {
            sent.add(send(e, nextPosition()));
        }
        for (var f : sent) {
            f.get();
        }
        awaitProjected();
    }

    HttpResponse<InputStream> export(String query) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/v1/exports/events" + query))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void ndjsonStreamsEveryEventInCommitOrder() throws Exception {
        var response = export("?format=ndjson");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/x-ndjson"));
        // Streamed: no length known up front.
        assertThat(response.headers().firstValue("Content-Length")).isEmpty();
        assertThat(response.headers().firstValue("Transfer-Encoding")).contains("chunked");

        int n = 0;
        try (var lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                JsonNode event = JSON.readTree(line);
                LedgerEvent expected = published.get(n);
                assertThat(event.get("id").asText()).isEqualTo(expected.eventId().value());
                assertThat(event.get("type").asText()).isEqualTo(expected.type());
                assertThat(event.get("sequence").asLong()).isEqualTo(expected.sequence());
                if (n % 4_999 == 0) {
                    // Each line is exactly the API's event object.
                    assertThat(event).isEqualTo(api().get("/v1/events/" + expected.eventId(), key).json());
                    assertThat(event.get("data")).isEqualTo(asExported(expected));
                }
                n++;
            }
        }
        assertThat(n).isEqualTo(4 * INVOICES);
    }

    @Test
    void csvHasAHeaderQuotesFieldsAndMatchesTheEvents() throws Exception {
        var response = export("?format=csv");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/csv"));
        List<List<String>> rows;
        try (var in = new InputStreamReader(response.body(), StandardCharsets.UTF_8)) {
            rows = parseCsv(in);
        }
        assertThat(rows.get(0)).containsExactly("id", "type", "invoice", "sequence", "created_at", "status",
                "currency", "amount", "amount_paid", "amount_due", "data");
        assertThat(rows).hasSize(4 * INVOICES + 1);
        for (int i = 1; i < rows.size(); i += 997) {
            LedgerEvent expected = published.get(i - 1);
            List<String> row = rows.get(i);
            assertThat(row.get(0)).isEqualTo(expected.eventId().value());
            assertThat(row.get(1)).isEqualTo(expected.type());
            assertThat(row.get(2)).isEqualTo(expected.invoiceId().value());
            assertThat(row.get(3)).isEqualTo(Long.toString(expected.sequence()));
            assertThat(row.get(4)).isEqualTo(expected.occurredAt().toString());
            assertThat(row.get(5)).isEqualTo(expected.status().wireName());
            assertThat(row.get(6)).isEqualTo("USD");
            assertThat(row.get(8)).isEqualTo(expected.amountPaid().toPlainString());
            assertThat(row.get(9)).isEqualTo(expected.amountDue().toPlainString());
            assertThat(JSON.readTree(row.get(10))).isEqualTo(asExported(expected));
        }
        // The amount column: the invoice's on creation, the payment's on a payment, empty otherwise.
        assertThat(rows.get(1).get(7)).isEqualTo("100.00");
        assertThat(rows.get(INVOICES + 1).get(7)).isEqualTo("30.00");
        assertThat(rows.get(3 * INVOICES + 1).get(7)).isEmpty();
        assertThat(JSON.readTree(rows.get(1).get(10)).get("description").asText())
                .isEqualTo("Two \"big\" coffees,\none bagel");
    }

    @Test
    void fromIsInclusiveToExclusiveAndBadParametersAre400() throws Exception {
        // Invoices 10..19 were created at T0+10s..T0+19s; each one's four events fall within its second.
        var response = export("?from=" + T0.plusSeconds(10) + "&to=" + T0.plusSeconds(20));
        int n = 0;
        try (var lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            while (lines.readLine() != null) {
                n++;
            }
        }
        assertThat(n).isEqualTo(40);
        for (String query : List.of("?format=xml", "?from=yesterday", "?from=" + T0.plusSeconds(5) + "&to=" + T0)) {
            var bad = api().get("/v1/exports/events" + query, key);
            assertThat(bad.status()).as(query).isEqualTo(400);
            assertThat(bad.json().get("code").asText()).isEqualTo("parameter_invalid");
        }
        assertThat(api().get("/v1/exports/events", keyFor(store, Scopes.INVOICES_READ)).status()).isEqualTo(403);
    }

    /** RFC 4180, strictly: fields quoted with doubled quotes may hold commas, quotes and line breaks. */
    static List<List<String>> parseCsv(Reader in) throws Exception {
        var rows = new ArrayList<List<String>>();
        var row = new ArrayList<String>();
        var field = new StringBuilder();
        var reader = new java.io.PushbackReader(new java.io.BufferedReader(in), 2);
        boolean quoted = false;
        int c;
        while ((c = reader.read()) != -1) {
            if (quoted) {
                if (c == '"') {
                    int next = reader.read();
                    if (next == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        if (next != -1) {
                            reader.unread(next);
                        }
                    }
                } else {
                    field.append((char) c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (c == '\r') {
                int next = reader.read();
                assertThat(next).isEqualTo('\n');
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else {
                assertThat(c).as("bare line feed outside quotes").isNotEqualTo('\n');
                field.append((char) c);
            }
        }
        assertThat(row).isEmpty();
        return rows;
    }

    /** The event as the ledger recorded it, minus secret-looking metadata, which no export shows. */
    static com.fasterxml.jackson.databind.JsonNode asExported(LedgerEvent event) throws Exception {
        var visible = event instanceof ledger.events.InvoiceCreated c ? c.withVisibleMetadataOnly() : event;
        return JSON.readTree(LedgerJson.mapper().writerFor(LedgerEvent.class).writeValueAsString(visible));
    }
}
