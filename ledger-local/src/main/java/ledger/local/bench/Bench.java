package ledger.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import ledger.events.EventId;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.Money;
import ledger.events.StoreId;
import ledger.local.LocalLedger;
import ledger.local.replay.RebuildClient;
import ledger.local.replay.RebuildProgress;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ./ledger bench}: the issue-6 benchmark. Starts its own stack (free ports, a temporary data
 * folder, rate limits lifted), measures, prints a table and writes {@code target/bench/results.json}.
 */
public final class Bench {

    /** {@code --events=N} (rebuild size), {@code --seconds=N} (length of each throughput phase). */
    public record Options(long events, int seconds, int threads, int pacedRate) {
        public static Options parse(String[] args) {
            long events = 1_000_000;
            int seconds = 15;
            int threads = 16;
            int rate = 500;
            for (String arg : args) {
                if (arg.startsWith("--events=")) {
                    events = Long.parseLong(arg.substring(9));
                } else if (arg.startsWith("--seconds=")) {
                    seconds = Integer.parseInt(arg.substring(10));
                } else if (arg.startsWith("--threads=")) {
                    threads = Integer.parseInt(arg.substring(10));
                } else if (arg.startsWith("--rate=")) {
                    rate = Integer.parseInt(arg.substring(7));
                } else {
                    throw new IllegalArgumentException("unknown option " + arg
                            + " (options: --events=N --seconds=N --threads=N --rate=N)");
                }
            }
            if (events < 2 || seconds < 1 || threads < 1 || rate < 1) {
                throw new IllegalArgumentException("options must be positive (events ≥ 2)");
            }
            return new Options(events, seconds, threads, rate);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LAG_HISTOGRAM = "ledger_projection_lag_seconds";
    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*}\\s+(\\S+)", Pattern.MULTILINE);
    private static final Pattern SERVER_TIME = Pattern.compile(
            "^http_server_requests_seconds_(sum|count)\\{[^}]*}\\s+(\\S+)", Pattern.MULTILINE);

    private final Options options;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private LocalLedger stack;
    private String apiKey;
    private final Map<String, Double> maxHeapMb = new ConcurrentHashMap<>();
    private Baselines baselines;

    private Bench(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static int run(Path repoDir, Options options, PrintStream out) throws Exception {
        return new Bench(options, out).run(repoDir);
    }

    private int run(Path repoDir) throws Exception {
        Path dataDir = Files.createTempDirectory("ledger-bench-");
        Map<String, String> env = Map.of(
                "LEDGER_RATE_LIMIT_WRITE_PER_SECOND", "100000", "LEDGER_RATE_LIMIT_WRITE_BURST", "100000",
                "LEDGER_RATE_LIMIT_READ_PER_SECOND", "100000", "LEDGER_RATE_LIMIT_READ_BURST", "100000",
                "LEDGER_WEBHOOKS_RETRY_SCHEDULE", "1s,1s,2s,5s");
        stack = new LocalLedger(LocalLedger.Config.ephemeral(repoDir, dataDir).withExtraEnv(env));
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        BenchResults results = new BenchResults();
        try {
            apiKey = stack.start().apiKey();
            String storeId = stack.demo().storeId();
            sampler.scheduleAtFixedRate(this::sampleHeap, 0, 1, TimeUnit.SECONDS);
            baselines = new Baselines(stack.jdbcUrl(), stack.jdbcUser(), stack.jdbcPassword());
            String samplePayload = EventSeeder.json(sampleEvent(storeId));
            int s = options.seconds();

            step("baseline: single-row INSERT transactions, 8 JDBC connections, %d s", Math.max(5, s * 2 / 3));
            double baselineInsert = baselines.singleRowInserts(8, Math.max(5, s * 2 / 3) * 1000L, samplePayload);

            step("creates: POST /v1/invoices from %d threads for %d s", options.threads(), s);
            List<String> created = java.util.Collections.synchronizedList(new ArrayList<>());
            Map<String, double[]> serverBefore = serverTimes();
            double creates = throughput(s, t -> {
                JsonNode invoice = create(t % 10 == 0 ? 5 : null);
                if (invoice != null && t % 10 != 0) {
                    created.add(invoice.path("id").asText());
                }
                return invoice != null;
            });
            Map<String, double[]> serverAfter = serverTimes();
            step("payments: POST /v1/invoices/{id}/payments (1.00 each, on %,d invoices) for %d s", created.size(), s);
            AtomicLong next = new AtomicLong();
            double payments = throughput(s, t -> {
                String id = created.get((int) (next.getAndIncrement() % created.size()));
                return pay(id, "1.00") != null;
            });
            results.put("create_per_s", creates).put("baseline_insert_per_s", baselineInsert)
                    .put("create_ratio", creates / baselineInsert, BenchResults.Target.atLeast(0.40, "≥ 0.40"))
                    .put("payment_per_s", payments);
            serverTimePerRequest("creates", serverBefore, serverAfter, results);

            awaitProjectionCaughtUp();
            paced(results);

            step("baseline: 100-row INSERT batches, 1 JDBC connection, 10 s");
            double batchRows = baselines.batchInserts(10_000, samplePayload);
            step("seeding %,d events into query.ledger_event (COPY)", options.events());
            long seedStart = System.nanoTime();
            long seeded;
            try (Connection c = baselines.connect()) {
                seeded = EventSeeder.seed(c, storeId, options.events());
                try (var st = c.createStatement()) {
                    st.execute("ANALYZE query.ledger_event");
                }
            }
            out.printf("  seeded %,d events in %.1f s%n", seeded, (System.nanoTime() - seedStart) / 1e9);
            step("rebuild through the admin API");
            RebuildClient rebuilds = new RebuildClient(http, URI.create(stack.gatewayUrl()), stack.adminToken());
            RebuildProgress done = rebuilds.follow(rebuilds.start(), Duration.ofMillis(500), p -> {
                out.print("\r  " + p.bar(30) + "   ");
                out.flush();
            });
            out.println();
            if (!done.completed()) {
                throw new IllegalStateException("rebuild ended " + done.state() + ": " + done.error());
            }
            long total = done.totalEvents() == null ? seeded : done.totalEvents();
            double replay = total * 1000.0 / Math.max(1, done.elapsedMs());
            results.put("replay_events", total)
                    .put("replay_events_per_s", replay, BenchResults.Target.atLeast(50_000, "≥ 50,000"))
                    .put("replay_baseline_rows_per_s", batchRows)
                    .put("replay_ratio", replay / batchRows, BenchResults.Target.atLeast(0.25, "≥ 0.25"));
            sampleHeap();
            new java.util.TreeMap<>(maxHeapMb).forEach(results::heap);
        } finally {
            sampler.shutdownNow();
            stack.close();
            deleteQuietly(dataDir);
        }
        results.note("projection_lag", "query-service histogram ledger_projection_lag_seconds (occurred_at → applied),"
                + " bucket deltas over the paced window, interpolated like histogram_quantile");
        results.note("webhook_latency", "receiver arrival − payload timestamp, events of the paced window");
        results.note("max_heap", "max over 1 s samples of sum(jvm_memory_used_bytes{area=heap}) from /actuator/prometheus");
        Path json = repoDir.resolve("target/bench/results.json");
        Files.createDirectories(json.getParent());
        Files.writeString(json, results.json());
        out.println();
        out.print(results.table());
        out.println("written to " + json);
        return 0;
    }

    // ---- paced load: projection and webhook latency ----

    private record Open(String id, long amountCents, long[] paidCents) {
    }

    private void paced(BenchResults results) throws Exception {
        List<Long> webhookMs = new CopyOnWriteArrayList<>();
        AtomicLong windowStart = new AtomicLong(Long.MAX_VALUE);
        AtomicLong windowEnd = new AtomicLong(Long.MAX_VALUE);
        AtomicLong lastArrival = new AtomicLong();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        ExecutorService receiverPool = Executors.newFixedThreadPool(16);
        receiver.setExecutor(receiverPool);
        receiver.createContext("/hooks", exchange -> {
            long arrived = System.currentTimeMillis();
            try (InputStream body = exchange.getRequestBody()) {
                JsonNode payload = JSON.readTree(body);
                long occurred = Instant.parse(payload.path("timestamp").asText()).toEpochMilli();
                if (occurred >= windowStart.get() && occurred <= windowEnd.get()) {
                    webhookMs.add(arrived - occurred);
                }
                lastArrival.set(arrived);
            } catch (RuntimeException e) {
                // an unreadable payload is not a latency sample
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks";
            HttpResponse<String> endpoint = send(post("/v1/webhook_endpoints",
                    "{\"url\":\"" + url + "\",\"enabled_events\":[\"*\"]}"));
            if (endpoint.statusCode() != 201) {
                throw new IllegalStateException("webhook endpoint not registered: " + endpoint.statusCode() + " " + endpoint.body());
            }
            int seconds = Math.max(10, options.seconds() * 4 / 3);
            int rate = options.pacedRate();
            step("paced mix at %d commands/s for %d s (creates, partial and full payments, cancels, 5 s expiries;"
                    + " webhooks to %s)", rate, seconds, url);
            NavigableMap<Double, Double> before = Percentiles.buckets(scrape(stack.queryUrl()), LAG_HISTOGRAM);
            Queue<Open> open = new ConcurrentLinkedQueue<>();
            Semaphore inFlight = new Semaphore(256);
            LongAdder sent = new LongAdder();
            LongAdder ok = new LongAdder();
            LongAdder failed = new LongAdder();
            Map<String, LongAdder> failures = new ConcurrentHashMap<>();
            LongAdder skipped = new LongAdder();
            AtomicLong tick = new AtomicLong();
            ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
            windowStart.set(System.currentTimeMillis());
            long periodNanos = 1_000_000_000L / rate;
            long started = System.nanoTime();
            pacer.scheduleAtFixedRate(() -> {
                if (!inFlight.tryAcquire()) {
                    skipped.increment();
                    return;
                }
                sent.increment();
                HttpRequest request = pacedRequest(tick.getAndIncrement(), open);
                http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                    inFlight.release();
                    if (error != null || response.statusCode() >= 300) {
                        failed.increment();
                        String what = request.method() + " " + request.uri().getPath().replaceAll("inv_\\w+", "{id}") + " → "
                                + (error != null ? error.getClass().getSimpleName() : response.statusCode() + " " + code(response.body()));
                        failures.computeIfAbsent(what, k -> new LongAdder()).increment();
                        return;
                    }
                    ok.increment();
                    onPacedAnswer(request, response, open);
                });
            }, 0, periodNanos, TimeUnit.NANOSECONDS);
            Thread.sleep(seconds * 1000L);
            pacer.shutdownNow();
            inFlight.acquire(256);
            double elapsed = (System.nanoTime() - started) / 1e9;
            windowEnd.set(System.currentTimeMillis());
            step("waiting for the paced window's projection and webhooks to settle");
            awaitProjectionCaughtUp();
            long quietSince = System.currentTimeMillis();
            while (System.currentTimeMillis() - Math.max(lastArrival.get(), quietSince) < 3000
                    && System.currentTimeMillis() - quietSince < 60_000) {
                Thread.sleep(200);
            }
            NavigableMap<Double, Double> lag = Percentiles.delta(before,
                    Percentiles.buckets(scrape(stack.queryUrl()), LAG_HISTOGRAM));
            double achieved = ok.sum() / elapsed;
            out.printf("  sent %,d, ok %,d, failed %,d, not sent (256 in flight) %,d: %.0f commands/s achieved%n",
                    sent.sum(), ok.sum(), failed.sum(), skipped.sum(), achieved);
            failures.forEach((what, n) -> out.printf("    failed: %,d × %s%n", n.sum(), what));
            results.put("paced_target_per_s", rate).put("paced_achieved_per_s", achieved)
                    .put("paced_failed", failed.sum()).put("paced_not_sent", skipped.sum())
                    .put("projection_lag_samples", lag.isEmpty() ? 0 : lag.lastEntry().getValue())
                    .put("projection_lag_p50_ms", Percentiles.quantile(lag, 0.50) * 1000)
                    .put("projection_lag_p99_ms", Percentiles.quantile(lag, 0.99) * 1000,
                            BenchResults.Target.below(50, "≤ 50 ms at 500/s"))
                    .put("webhook_samples", webhookMs.size())
                    .put("webhook_latency_p50_ms", Percentiles.of(webhookMs, 50))
                    .put("webhook_latency_p99_ms", Percentiles.of(webhookMs, 99),
                            BenchResults.Target.below(100, "≤ 100 ms at 500/s"));
        } finally {
            receiver.stop(0);
            receiverPool.shutdownNow();
        }
    }

    /** 40 % creates (a quarter of them expiring in 5 s), 20 % partial, 20 % full payments, 10 % cancels, 10 % reads. */
    private HttpRequest pacedRequest(long tick, Queue<Open> open) {
        int slot = (int) (tick % 10);
        Open invoice = slot >= 4 ? open.poll() : null;
        if (invoice == null || slot < 4) {
            boolean expiring = tick % 16 == 0;
            return post("/v1/invoices", createBody(expiring ? 5 : null, tick));
        }
        long due = invoice.amountCents() - invoice.paidCents()[0];
        if (slot < 6 && due > 100) {
            invoice.paidCents()[0] += 100;
            open.add(invoice);
            return post("/v1/invoices/" + invoice.id() + "/payments", paymentBody("1.00", tick));
        }
        if (slot < 8 || invoice.paidCents()[0] > 0) {
            return post("/v1/invoices/" + invoice.id() + "/payments",
                    paymentBody(java.math.BigDecimal.valueOf(due, 2).toPlainString(), tick));
        }
        if (slot < 9) {
            return post("/v1/invoices/" + invoice.id() + "/cancel", null);
        }
        open.add(invoice);
        // Ledger-Version 1: the read waits for the create to be projected instead of a 404.
        return authorized("/v1/invoices/" + invoice.id()).header("Ledger-Version", "1").GET().build();
    }

    private static void onPacedAnswer(HttpRequest request, HttpResponse<String> response, Queue<Open> open) {
        String path = request.uri().getPath();
        if (!path.equals("/v1/invoices") || !"POST".equals(request.method())) {
            return;
        }
        try {
            JsonNode invoice = JSON.readTree(response.body());
            if (invoice.path("expires_at").isTextual() && invoice.path("expires_at").asText().length() > 0
                    && Instant.parse(invoice.path("expires_at").asText()).isBefore(Instant.now().plusSeconds(60))) {
                return; // about to expire: leave it alone, the ledger expires it
            }
            long cents = new java.math.BigDecimal(invoice.path("amount").asText()).movePointRight(2).longValueExact();
            open.add(new Open(invoice.path("id").asText(), cents, new long[1]));
        } catch (IOException | RuntimeException e) {
            // not a usable invoice; the mix goes on
        }
    }

    private static String code(String body) {
        try {
            return JSON.readTree(body).path("code").asText("");
        } catch (IOException e) {
            return "";
        }
    }

    // ---- throughput phases ----

    private double throughput(int seconds, IntFunction<Boolean> action) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(options.threads());
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        LongAdder ok = new LongAdder();
        LongAdder failed = new LongAdder();
        AtomicLong counter = new AtomicLong();
        long started = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < options.threads(); i++) {
            futures.add(pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    try {
                        if (action.apply((int) counter.getAndIncrement())) {
                            ok.increment();
                        } else {
                            failed.increment();
                        }
                    } catch (RuntimeException e) {
                        failed.increment();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        pool.shutdown();
        double rate = ok.sum() / elapsed;
        out.printf("  %,d ok, %,d failed in %.1f s: %.0f/s%n", ok.sum(), failed.sum(), elapsed, rate);
        return rate;
    }

    private JsonNode create(Integer expiresIn) {
        return created(send(post("/v1/invoices", createBody(expiresIn, System.nanoTime()))));
    }

    private JsonNode pay(String invoiceId, String amount) {
        return created(send(post("/v1/invoices/" + invoiceId + "/payments", paymentBody(amount, System.nanoTime()))));
    }

    private static JsonNode created(HttpResponse<String> response) {
        if (response == null || response.statusCode() != 201) {
            return null;
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            return null;
        }
    }

    private static final AtomicLong REFERENCES = new AtomicLong();

    private static String createBody(Integer expiresIn, long n) {
        long cents = 1000 + Math.floorMod(n * 7919, 99_000);
        return "{\"amount\":\"" + java.math.BigDecimal.valueOf(cents, 2).toPlainString()
                + "\",\"currency\":\"USD\",\"external_order_id\":\"bench-" + REFERENCES.incrementAndGet() + "\""
                + (expiresIn == null ? "" : ",\"expires_in\":" + expiresIn) + "}";
    }

    private static String paymentBody(String amount, long n) {
        return "{\"amount\":\"" + amount + "\",\"currency\":\"USD\",\"reference\":\"bench-" + n + "-"
                + REFERENCES.incrementAndGet() + "\"}";
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey).header("Accept", "application/json");
    }

    private HttpRequest post(String path, String body) {
        return authorized(path).header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---- service metrics ----

    private String scrape(String serviceUrl) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(serviceUrl + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(10)).GET().build());
        return response == null || response.statusCode() != 200 ? "" : response.body();
    }

    private Map<String, String> services() {
        Map<String, String> services = new LinkedHashMap<>();
        services.put("api-gateway", stack.gatewayUrl());
        services.put("command-service", stack.commandUrl());
        services.put("query-service", stack.queryUrl());
        services.put("webhook-dispatcher", stack.webhookUrl());
        return services;
    }

    /** Per service: total seconds and count of HTTP requests served so far. */
    private Map<String, double[]> serverTimes() {
        Map<String, double[]> times = new LinkedHashMap<>();
        services().forEach((name, url) -> {
            double[] sumCount = new double[2];
            Matcher m = SERVER_TIME.matcher(scrape(url));
            while (m.find()) {
                sumCount[m.group(1).equals("sum") ? 0 : 1] += Double.parseDouble(m.group(2));
            }
            times.put(name, sumCount);
        });
        return times;
    }

    /** Where a request's time goes: the mean server-side time of each service over the phase. */
    private void serverTimePerRequest(String phase, Map<String, double[]> before, Map<String, double[]> after,
                                      BenchResults results) {
        after.forEach((name, a) -> {
            double[] b = before.getOrDefault(name, new double[2]);
            double count = a[1] - b[1];
            if (count > 0) {
                double ms = (a[0] - b[0]) / count * 1000;
                out.printf("  %s phase, %s: %,.0f requests, %.1f ms mean server time%n", phase, name, count, ms);
                results.put(phase + "_server_ms." + name, ms);
            }
        });
    }

    private void sampleHeap() {
        Map<String, String> services = services();
        services.forEach((name, url) -> {
            double bytes = 0;
            Matcher m = HEAP.matcher(scrape(url));
            boolean any = false;
            while (m.find()) {
                bytes += Double.parseDouble(m.group(1));
                any = true;
            }
            if (any) {
                maxHeapMb.merge(name, bytes / (1024.0 * 1024.0), Math::max);
            }
        });
    }

    /**
     * Until query-service stored every event of the event store: its consumer lag alone would miss
     * events the relay has not put on the topic yet.
     */
    private void awaitProjectionCaughtUp() throws Exception {
        long started = System.nanoTime();
        long giveUp = System.currentTimeMillis() + 180_000;
        try (Connection c = baselines.connect(); var st = c.createStatement()) {
            while (true) {
                long written;
                long projected;
                try (var rs = st.executeQuery("SELECT (SELECT count(*) FROM command.domain_event_entry),"
                        + " (SELECT count(*) FROM query.ledger_event)")) {
                    rs.next();
                    written = rs.getLong(1);
                    projected = rs.getLong(2);
                }
                if (projected >= written) {
                    out.printf("  query-service has all %,d events (waited %.1f s)%n", written,
                            (System.nanoTime() - started) / 1e9);
                    return;
                }
                if (System.currentTimeMillis() > giveUp) {
                    out.printf("  query-service still %,d events behind after 180 s%n", written - projected);
                    return;
                }
                Thread.sleep(250);
            }
        }
    }

    private void step(String format, Object... args) {
        out.printf("%n== " + format + "%n", args);
    }

    private static InvoiceCreated sampleEvent(String storeId) {
        var usd = java.util.Currency.getInstance("USD");
        var amount = Money.parse("99.00", usd);
        var id = InvoiceId.generate();
        return new InvoiceCreated(EventId.generate(), id, new StoreId(storeId),
                1, Instant.now(), amount, "order-1", "bench invoice", "buyer@example.com", Map.of("bench", "true"),
                "http://localhost:8080/checkout/" + id.value(), null, null, null, null, false,
                InvoiceStatus.OPEN, Money.zero(usd), amount);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
