package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import ledger.events.LedgerEvent;
import ledger.events.StoreId;
import ledger.query.ledger.LedgerEvents;
import ledger.support.consumer.Received;
import ledger.support.auth.Scopes;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Benchmark, not part of the default build: a million events exported (NDJSON and CSV) and replayed by
 * a rebuild, in a JVM whose heap is capped. Run:
 * <pre>
 * ./mvnw -B -pl query-service verify -Dledger.bigExport=true -DargLine=-Xmx256m -Dit.test=BigExportBenchmarkIT
 * </pre>
 * ({@code -Dledger.bigExport.events=N} changes the size; the rebuild runs twice, the second time with a
 * warm JIT.) Figures go to standard output, prefixed BENCH.
 */
@EnabledIfSystemProperty(named = "ledger.bigExport", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BigExportBenchmarkIT extends QueryIntegrationTest {

    static final int EVENTS = Integer.getInteger("ledger.bigExport.events", 1_000_000);
    static final StoreId STORE = StoreId.generate();
    static String key;

    @Autowired
    LedgerEvents ledger;

    static void report(String format, Object... args) {
        System.out.printf("BENCH " + format + "%n", args);
    }

    static long heapUsedMb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }

    static long peakHeapMb() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak / (1024 * 1024);
    }

    static void resetPeaks() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    @Test
    @Order(1)
    void loadAMillionEventsIntoTheLedger() throws Exception {
        key = keyFor(STORE, Scopes.EVENTS_READ, Scopes.INVOICES_READ, Scopes.REPORTS_READ);
        report("max heap %d MB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        // 4 events per invoice: created, two payments, expiry — appended the way the projection does,
        // without Kafka (the rebuild below turns them into invoice rows).
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
        long start = System.nanoTime();
        var batch = new ArrayList<Received>(8_000);
        for (int i = 0; i < EVENTS / 4; i++) {
            var invoice = InvoiceHistory.of(STORE, "100.00", i % 3 == 0 ? "USD" : i % 3 == 1 ? "JPY" : "BHD");
            Instant at = t0.plusSeconds(i * 10L);
            invoice.create(at, LocalDate.parse("2025-06-01"), at.plusSeconds(86_400), "order-" + i,
                    "Bench, \"quoted\" invoice " + i);
            invoice.pay(i % 3 == 1 ? "30" : "30.00", at.plusSeconds(1));
            invoice.pay(i % 3 == 1 ? "20" : "20.00", at.plusSeconds(2));
            invoice.expire(at.plusSeconds(3));
            for (LedgerEvent e : invoice.events()) {
                batch.add(new Received(e, null, nextPosition()));
            }
            if (batch.size() >= 8_000) {
                ledger.record(batch);
                batch.clear();
            }
        }
        ledger.record(batch);
        double s = (System.nanoTime() - start) / 1e9;
        report("loaded %d events in %.1f s (%.0f events/s through LedgerEvents.record)", EVENTS, s, EVENTS / s);
        jdbc.execute("ANALYZE ledger_event");
    }

    @Test
    @Order(2)
    void exportsStreamInConstantMemory() throws Exception {
        for (String format : List.of("ndjson", "csv")) {
            System.gc();
            resetPeaks();
            long before = heapUsedMb();
            long start = System.nanoTime();
            var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + port + "/v1/exports/events?format=" + format))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            long bytes = 0;
            long lines = 0;
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = response.body()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    bytes += n;
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            lines++;
                        }
                    }
                }
            }
            double s = (System.nanoTime() - start) / 1e9;
            report("export %s: %d lines, %.1f MB in %.1f s (%.0f events/s); heap before %d MB, peak during %d MB",
                    format, lines, bytes / 1e6, s, EVENTS / s, before, peakHeapMb());
            // CSV: a header line plus one per event (the quoted data column holds no raw line breaks).
            assertThat(lines).isEqualTo(format.equals("csv") ? EVENTS + 1 : EVENTS);
        }
    }

    @Test
    @Order(3)
    void rebuildReplaysTheWholeLedger() {
        for (int round = 1; round <= 2; round++) {
            rebuild(round);
        }
    }

    void rebuild(int round) {
        long total = jdbc.queryForObject("SELECT count(*) FROM ledger_event", Long.class);
        var started = api().post("/admin/v1/projections/invoices/rebuild", ADMIN_TOKEN, null).json();
        String id = started.get("id").asText();
        long start = System.nanoTime();
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            var status = api().get("/admin/v1/projections/invoices/rebuild/" + id, ADMIN_TOKEN).json();
            report("rebuild progress %s %s %.1f%% %d events/s", status.get("state").asText(),
                    status.get("phase").asText(), status.get("percent").asDouble(),
                    status.get("events_per_second").asLong());
            return !status.get("state").asText().equals("running");
        });
        var done = api().get("/admin/v1/projections/invoices/rebuild/" + id, ADMIN_TOKEN).json();
        report("rebuild #%d of %d events: %s in %d ms = %d events/s (wall %.1f s)", round, total, done.get("state").asText(),
                done.get("elapsed_ms").asLong(), done.get("events_per_second").asLong(),
                (System.nanoTime() - start) / 1e9);
        assertThat(done.get("state").asText()).isEqualTo("completed");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM invoice WHERE store_id = ?", Long.class, STORE.value()))
                .isEqualTo(EVENTS / 4);
    }

    @Test
    @Order(4)
    void liveProjectionThroughput() throws Exception {
        int n = Integer.getInteger("ledger.bigExport.liveEvents", 100_000);
        var store = StoreId.generate();
        Instant t0 = Instant.now();
        var sent = new ArrayList<Future<?>>();
        long start = System.nanoTime();
        for (int i = 0; i < n / 2; i++) {
            var invoice = InvoiceHistory.of(store, "10.00", "USD");
            sent.add(send(invoice.create(t0, null, t0.plusSeconds(3600)), nextPosition()));
            sent.add(send(invoice.pay("10.00", t0), nextPosition()));
        }
        for (var f : sent) {
            f.get();
        }
        double published = (System.nanoTime() - start) / 1e9;
        awaitProjected();
        double s = (System.nanoTime() - start) / 1e9;
        report("live projection: %d events published in %.1f s, all applied after %.1f s (%.0f events/s)", n,
                published, s, n / s);
    }
}
