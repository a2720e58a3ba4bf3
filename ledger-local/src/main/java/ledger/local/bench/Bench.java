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
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Queue;
import java.util.UUID;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import ledger.local.Folders;

/**
 * {@code ./ledger bench}: the benchmark of issues 6 and 11. Starts its own stack (free ports, a
 * temporary data folder, rate limits lifted, Kafka in a child JVM), measures, prints a table with the
 * targets and writes {@code target/bench/results.json}.
 */
public final class Bench {

    /**
     * {@code --events=N} (rebuild size), {@code --seconds=N} (length of each throughput phase),
     * {@code --threads=N} (closed-loop clients), {@code --rate=N} (the paced window of the issue's
     * targets), {@code --warmup=N} (seconds of unmeasured load first; 0 skips it) and
     * {@code --sustainable-rate=N} (the second paced window; 0 = derived from the measured create rate).
     */
    public record Options(long events, int seconds, int threads, int pacedRate, int warmupSeconds,
                          int sustainableRate) {
        public static Options parse(String[] args) {
            long events = 1_000_000;
            int seconds = 15;
            int threads = 16;
            int rate = 250;
            int warmup = 300;
            int sustainable = 0;
            for (String arg : args) {
                if (arg.startsWith("--events=")) {
                    events = Long.parseLong(arg.substring(9));
                } else if (arg.startsWith("--seconds=")) {
                    seconds = Integer.parseInt(arg.substring(10));
                } else if (arg.startsWith("--threads=")) {
                    threads = Integer.parseInt(arg.substring(10));
                } else if (arg.startsWith("--rate=")) {
                    rate = Integer.parseInt(arg.substring(7));
                } else if (arg.startsWith("--warmup=")) {
                    warmup = Integer.parseInt(arg.substring(9));
                } else if (arg.startsWith("--sustainable-rate=")) {
                    sustainable = Integer.parseInt(arg.substring(19));
                    if (sustainable < 1) {
                        throw new IllegalArgumentException("--sustainable-rate must be positive");
                    }
                } else {
                    throw new IllegalArgumentException("unknown option " + arg + " (options: --events=N --seconds=N"
                            + " --threads=N --rate=N --warmup=N --sustainable-rate=N)");
                }
            }
            if (events < 2 || seconds < 1 || threads < 1 || rate < 1 || warmup < 0) {
                throw new IllegalArgumentException("options must be positive (events ≥ 2, warmup ≥ 0)");
            }
            return new Options(events, seconds, threads, rate, warmup, sustainable);
        }

        /**
         * The sustainable window's rate: {@code --sustainable-rate}, else 40 % of the closed-loop
         * creates/s rounded down to a multiple of 10, at least 10 — a load the stack carries with room
         * to spare, so its latencies are the pipeline's own rather than queueing.
         */
        int sustainableRateFor(double createsPerSecond) {
            if (sustainableRate > 0) {
                return sustainableRate;
            }
            double derived = Double.isFinite(createsPerSecond) ? createsPerSecond * 0.4 : 0;
            return Math.max(10, (int) (derived / 10) * 10);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code expires_in} of the invoices that expire during a phase (a tenth of the creates, some of the mix). */
    private static final int EXPIRES_IN_SECONDS = 5;
    /** The idle phase's creates, one a second: the issue measured its ~1 s idle latency over 30. */
    private static final int IDLE_CREATES = 30;
    /** After {@code --warmup}, the warm-up goes on in rounds of this many seconds while a JVM's compilers are busy. */
    private static final int WARM_ROUND_SECONDS = 30;
    /**
     * Warm: in the last round the JVMs' compiler threads used less than this share of the JVMs' CPU together. Each
     * JVM alone would not do: the broker and query-service, which use little CPU, recompile something now and then
     * (5–20 % of theirs in a round at minute ten) long after the rest is compiled.
     */
    private static final double WARM_COMPILER_SHARE = 0.05;
    private static final int WARM_ROUNDS_MAX = 20;
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
        // Kafka in its own JVM: inside this one its CPU could not be told apart from the load generator's.
        // A shared machine can take minutes to start a JVM; the figures say how busy it was, not the start.
        stack = new LocalLedger(LocalLedger.Config.ephemeral(repoDir, dataDir).withExtraEnv(env)
                .withKafkaChildProcess(true).withServiceStartTimeout(Duration.ofMinutes(5)));
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        BenchResults results = new BenchResults();
        PacedLoad webhooks = null;
        Warmed warmed = new Warmed(0, false);
        try {
            apiKey = stack.start().apiKey();
            String storeId = stack.demo().storeId();
            sampler.scheduleAtFixedRate(this::sampleHeap, 0, 1, TimeUnit.SECONDS);
            baselines = new Baselines(stack.jdbcUrl(), stack.jdbcUser(), stack.jdbcPassword());
            String samplePayload = EventSeeder.json(sampleEvent(storeId));
            int s = options.seconds();
            // Webhooks to a loopback receiver from the start: every phase carries their delivery, as in
            // production, and the warm-up warms the delivery path too.
            webhooks = new PacedLoad();
            StackCpu cpu = StackCpu.of(stack.dataDir());
            warmed = warmUp(cpu);

            step("baseline: single-row INSERT transactions, 8 JDBC connections, %d s", Math.max(5, s * 2 / 3));
            double baselineInsert = baselines.singleRowInserts(8, Math.max(5, s * 2 / 3) * 1000L, samplePayload);

            step("creates: POST /v1/invoices from %d threads for %d s", options.threads(), s);
            List<String> created = Collections.synchronizedList(new ArrayList<>());
            LongAdder expiring = new LongAdder();
            Map<String, double[]> serverBefore = serverTimes();
            WebhookCount delivered = webhooks.countFrom(System.currentTimeMillis());
            Map<String, Long> cpuBefore = cpu.read();
            Map<String, Long> backendsBefore = backendTicks(cpu);
            Map<String, Map<Long, Long>> compilersBefore = cpu.compilerTicks();
            Throughput creates = throughput(s, t -> {
                JsonNode invoice = create(t % 10 == 0 ? EXPIRES_IN_SECONDS : null);
                if (invoice != null && t % 10 != 0) {
                    created.add(invoice.path("id").asText());
                } else if (invoice != null) {
                    expiring.increment();
                }
                return invoice != null;
            });
            Map<String, double[]> serverAfter = serverTimes();
            // every event of the phase: a creation each, an expiry for those created with expires_in
            long events = creates.ok() + expiring.sum();
            long waitStarted = System.nanoTime();
            boolean all = delivered.await(events, Duration.ofSeconds(EXPIRES_IN_SECONDS + 120));
            Map<String, Double> cpuPerCreate = cpu.msPerCreate(cpuBefore, cpu.read(), creates.ok());
            Map<String, Double> backendPerCreate = StackCpu.byService(
                    cpu.msPerCreate(backendsBefore, backendTicks(cpu), creates.ok()));
            Map<String, Double> compilerPerCreate = cpu.compilerMsPerCreate(compilersBefore, cpu.compilerTicks(),
                    creates.ok());
            out.printf("  %s%,d of the phase's %,d webhooks delivered %.1f s after it; CPU of %s per create:%n   ",
                    all ? "" : "only ", delivered.count(), events, (System.nanoTime() - waitStarted) / 1e9, cpu.pids());
            cpuPerCreate.forEach((process, ms) -> out.printf(" %s %.2f ms", process, ms));
            out.printf("%n   of PostgreSQL's, its backends serving");
            backendPerCreate.forEach((service, ms) -> out.printf(" %s %.2f ms", service, ms));
            out.printf("%n   of the JVMs', their JIT compilers (near 0 when warm)");
            compilerPerCreate.forEach((jvm, ms) -> out.printf(" %s %.2f ms", jvm, ms));
            out.println();
            step("payments: POST /v1/invoices/{id}/payments (1.00 each, on %,d invoices) for %d s", created.size(), s);
            AtomicLong next = new AtomicLong();
            double payments = throughput(s, t -> payNext(created, next)).perSecond();
            results.put("create_per_s", creates.perSecond(), BenchResults.Target.atLeast(400, "≥ 400"))
                    .put("baseline_insert_per_s", baselineInsert)
                    .put("create_ratio", creates.perSecond() / baselineInsert, BenchResults.Target.atLeast(0.40, "≥ 0.40"))
                    .put("payment_per_s", payments, BenchResults.Target.atLeast(300, "≥ 300"));
            StackCpu.putInto(results, cpuPerCreate, backendPerCreate, compilerPerCreate);
            serverTimePerRequest("creates", serverBefore, serverAfter, results);

            awaitProjectionCaughtUp();
            pacedWindows(results, webhooks);
            idle(results, webhooks);

            step("baseline: 100-row INSERT batches, 1 JDBC connection, 10 s");
            double batchRows = baselines.batchInserts(10_000, samplePayload);
            step("seeding %,d events into query.ledger_event (COPY)", options.events());
            long seedStart = System.nanoTime();
            long seeded;
            try (Connection c = baselines.connect()) {
                seeded = EventSeeder.seed(c, storeId, options.events());
                try (var st = c.createStatement()) {
                    // As autovacuum has done for a ledger that grew over months: hint bits set, pages all-visible.
                    // Otherwise the rebuild pays for the bulk load's first reading, racing autovacuum's own.
                    st.execute("VACUUM (ANALYZE) query.ledger_event");
                }
            }
            out.printf("  seeded %,d events in %.1f s%n", seeded, (System.nanoTime() - seedStart) / 1e9);
            step("rebuild through the admin API");
            RebuildClient rebuilds = new RebuildClient(http, URI.create(stack.gatewayUrl()), stack.adminToken());
            RebuildProgress done = rebuilds.follow(rebuilds.start(null), Duration.ofMillis(500), p -> {
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
                    .put("replay_events_per_s", replay, BenchResults.Target.atLeast(75_000, "≥ 75,000"))
                    .put("replay_baseline_rows_per_s", batchRows)
                    .put("replay_ratio", replay / batchRows, BenchResults.Target.atLeast(0.25, "≥ 0.25"));
            sampleHeap();
            new java.util.TreeMap<>(maxHeapMb).forEach(results::heap);
        } finally {
            sampler.shutdownNow();
            if (webhooks != null) {
                webhooks.close();
            }
            stack.close();
            keepLogs(dataDir.resolve("logs"), repoDir.resolve("target/bench/logs"));
            deleteQuietly(dataDir);
        }
        results.note("projection_lag", "query-service histogram ledger_projection_lag_seconds (occurred_at → applied),"
                + " bucket deltas over each paced window, interpolated like histogram_quantile");
        results.note("webhook_latency", "receiver arrival − payload timestamp, events of each paced window");
        results.note("webhook_inbox", "the dispatcher's event_inbox.received_at − the event's time, same events");
        results.note("webhook_first_attempt", "the first attempt's attempted_at − the event's time, same events");
        results.note("warm_up", options.warmupSeconds() == 0 ? "none (--warmup=0): services measured cold"
                : String.format(Locale.ROOT, "%.0f s of the paced mix and, every other request, creates and payments"
                + " without a key, closed-loop from %d threads, before the first measurement; not measured: --warmup=%d"
                + " s, then %d s rounds until the JVMs' compiler threads used under %.0f %% of the JVMs' CPU in one (%s)",
                warmed.seconds(), options.threads(), options.warmupSeconds(), WARM_ROUND_SECONDS,
                WARM_COMPILER_SHARE * 100, warmed.compiled() ? "reached" : "not reached in " + WARM_ROUNDS_MAX + " rounds"));
        results.note("sustainable", "the same paced mix at sustainable_rate_per_s ("
                + (options.sustainableRate() > 0 ? "--sustainable-rate" : "40 % of create_per_s, rounded down to tens")
                + "), run before the --rate window; no targets");
        results.note("cpu_ms_per_create", "user+system CPU from /proc/<pid>/stat (reaped children included) of postgres"
                + " (the postmaster and all its descendants), kafka (a child JVM) and each service JVM, from the start of"
                + " the creates phase until the receiver had every webhook of its events (the creations, and the expiries"
                + " of the tenth created with expires_in " + EXPIRES_IN_SECONDS + " s), over the phase's creates;"
                + " the bench JVM (load generator, webhook receiver) is not counted");
        results.note("compiler_cpu", "compiler_cpu_ms_per_create_by_process: the part of cpu_ms_per_create_by_process"
                + " spent by each JVM's C1 and C2 compiler threads (/proc/<pid>/task/<tid>/stat) in the same window; near"
                + " 0 when the JVM was warm");
        results.note("idle", IDLE_CREATES + " creates one second apart once the paced windows settled, each with an"
                + " Idempotency-Key; visible: POST sent → first 200 of GET /v1/invoices/{id} without Ledger-Version,"
                + " asked again 2 ms after each 404; webhook: POST sent → its invoice.created at the receiver;"
                + " what did not happen within " + IdleLatency.GIVE_UP_MS + " ms counts as that");
        results.note("max_heap", "max over 1 s samples of sum(jvm_memory_used_bytes{area=heap}) from /actuator/prometheus");
        Path json = repoDir.resolve("target/bench/results.json");
        Files.createDirectories(json.getParent());
        Files.writeString(json, results.json());
        out.println();
        out.print(results.table());
        out.println("written to " + json);
        return 0;
    }

    // ---- warm-up ----

    /**
     * A JVM's first minute costs 2–4× the CPU per request of its steady state, and on two cores command-service's C2
     * compilers take five to ten minutes of load to get there, longer when the machine is slow: after a fixed five
     * minutes its compilers still used 0.77 of its 4.07 ms per create in the creates phase. So the warm-up runs
     * {@code --warmup} seconds, then goes on in rounds until the JVMs' compiler threads used less than {@link
     * #WARM_COMPILER_SHARE} of their CPU in one ({@code compiler_cpu_ms_per_create_by_process} shows what they still did
     * while creates were measured). It sends every kind of request the measured phases send, closed-loop from the
     * client threads, so that the services are measured compiled: every other request is one of the paced mix (every
     * write with an Idempotency-Key), the rest are creates and payments without one, as the closed-loop phases send
     * them (warmed on the keyed mix alone, command-service was still compiling the path without a key during the
     * creates phase). Nothing of it is recorded.
     */
    private Warmed warmUp(StackCpu cpu) throws Exception {
        if (options.warmupSeconds() == 0) {
            return new Warmed(0, false);
        }
        step("warm-up: the paced mix (creates, payments, cancels, reads) and creates and payments without a key,"
                + " from %d threads for %d s, then in %d s rounds until the JVMs' compilers use under %.0f %% of their"
                + " CPU, %d rounds at most (not measured)", options.threads(), options.warmupSeconds(), WARM_ROUND_SECONDS,
                WARM_COMPILER_SHARE * 100, WARM_ROUNDS_MAX);
        Queue<Open> open = new ConcurrentLinkedQueue<>();
        List<String> unkeyed = Collections.synchronizedList(new ArrayList<>());
        AtomicLong next = new AtomicLong();
        IntFunction<Boolean> mix = t -> {
            if (t % 4 == 1 || (t % 4 == 3 && unkeyed.isEmpty())) {
                JsonNode invoice = create(null);
                if (invoice != null) {
                    unkeyed.add(invoice.path("id").asText());
                }
                return invoice != null;
            }
            if (t % 4 == 3) {
                return payNext(unkeyed, next);
            }
            HttpRequest request = pacedRequest(t / 2, open); // every kind of the mix, reads included
            HttpResponse<String> response = send(request);
            if (response == null || response.statusCode() >= 300) {
                return false;
            }
            onPacedAnswer(request, response, open);
            return true;
        };
        long started = System.nanoTime();
        throughput(options.warmupSeconds(), mix);
        boolean compiled = false;
        for (int round = 0; round < WARM_ROUNDS_MAX && !compiled; round++) {
            Map<String, Long> before = cpu.read();
            Map<String, Map<Long, Long>> compilersBefore = cpu.compilerTicks();
            throughput(WARM_ROUND_SECONDS, mix);
            // per one "create": only the ratio of the two counts
            Map<String, Double> share = StackCpu.compilerShare(cpu.msPerCreate(before, cpu.read(), 1),
                    cpu.compilerMsPerCreate(compilersBefore, cpu.compilerTicks(), 1));
            out.printf("  the compilers' share of each JVM's CPU:");
            share.forEach((jvm, part) -> out.printf(" %s %.0f %%", jvm, part * 100));
            out.println();
            compiled = share.get(StackCpu.TOTAL) < WARM_COMPILER_SHARE;
        }
        awaitSettled(System.currentTimeMillis());
        return new Warmed((System.nanoTime() - started) / 1e9, compiled);
    }

    /** How long the warm-up ran, and whether the JVMs' compilers had gone quiet by its end. */
    private record Warmed(double seconds, boolean compiled) {
    }

    /**
     * Until the expiries a phase ending at {@code endedAtMillis} scheduled have fired and query-service
     * holds every event, so that none of its work runs into the next measurement.
     */
    private void awaitSettled(long endedAtMillis) throws Exception {
        // expiry deadlines are polled every second (LEDGER_EXPIRY_POLL); one more for the relay
        long wait = endedAtMillis + (EXPIRES_IN_SECONDS + 2) * 1000L - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        awaitProjectionCaughtUp();
    }

    // ---- paced load: projection and webhook latency ----

    private record Open(String id, long amountCents, long[] paidCents) {
    }

    /** What one paced window measured. */
    private record Window(int rate, double achieved, long failed, long notSent, NavigableMap<Double, Double> lag,
                          List<Long> webhookMs, WebhookStages stages) {
        double lagMs(double quantile) {
            return Percentiles.quantile(lag, quantile) * 1000;
        }

        double lagSamples() {
            return lag.isEmpty() ? 0 : lag.lastEntry().getValue();
        }
    }

    /**
     * The sustainable window first, so that it is not measured behind the backlog an overloaded
     * {@code --rate} window leaves; each window settles (projection caught up, webhooks quiet) before
     * the next one starts.
     */
    private void pacedWindows(BenchResults results, PacedLoad load) throws Exception {
        int seconds = Math.max(10, options.seconds() * 4 / 3);
        int sustainableRate = options.sustainableRateFor(results.figure("create_per_s"));
        Window calm = load.window("sustainable window: ", sustainableRate, seconds);
        results.put("sustainable_rate_per_s", sustainableRate)
                .put("sustainable_achieved_per_s", calm.achieved());
        putLatencies(results, "sustainable_", calm, null, null);
        Window full = load.window("", options.pacedRate(), seconds);
        results.put("paced_target_per_s", full.rate())
                .put("paced_failed", full.failed()).put("paced_not_sent", full.notSent())
                .put("projection_lag_samples", full.lagSamples())
                .put("webhook_samples", full.webhookMs().size());
        String at = " at " + full.rate() + "/s";
        results.put("paced_achieved_per_s", full.achieved(),
                BenchResults.Target.atLeast(full.rate() * 0.98, String.format("≥ %.0f%s", full.rate() * 0.98, at)));
        putLatencies(results, "", full, BenchResults.Target.below(50, "≤ 50 ms" + at),
                BenchResults.Target.below(100, "≤ 100 ms" + at));
    }

    /** One create a second on the settled stack, as a merchant's client sends them. */
    private void idle(BenchResults results, PacedLoad load) throws Exception {
        step("idle: one create a second (with an Idempotency-Key) for %d s; each polled every 2 ms without"
                + " Ledger-Version until readable, and its webhook awaited", IDLE_CREATES);
        IdleLatency idle = new IdleLatency(http, this::authorized, () -> createBody(null, System.nanoTime()));
        load.listen(idle::onWebhook);
        IdleLatency.Result idled = idle.measure(IDLE_CREATES);
        out.printf("  %d readable, %d failed creates, %d never readable and %d webhooks never received within %,d ms%n",
                idled.visibleMs().size(), idled.failedCreates(), idled.neverVisible(), idled.neverDelivered(),
                IdleLatency.GIVE_UP_MS);
        // In the order sent, so a slow first create (or a slow spell) shows as such: the p99 of 30 is their maximum.
        out.printf("  readable after (ms): %s%n  webhook after (ms):  %s%n", idled.visibleMs(), idled.webhookMs());
        idled.putInto(results);
    }

    private static void putLatencies(BenchResults results, String prefix, Window window,
                                     BenchResults.Target lagP99, BenchResults.Target webhookP99) {
        results.put(prefix + "projection_lag_p50_ms", window.lagMs(0.50))
                .put(prefix + "projection_lag_p99_ms", window.lagMs(0.99), lagP99)
                .put(prefix + "webhook_latency_p50_ms", Percentiles.of(window.webhookMs(), 50))
                .put(prefix + "webhook_latency_p99_ms", Percentiles.of(window.webhookMs(), 99), webhookP99);
        window.stages().putInto(results, prefix);
    }

    /** The webhooks of events that occurred from {@code start} to {@code end} (epoch ms). */
    private record Samples(long start, AtomicLong end, List<Long> latenciesMs) {
        Samples(long start) {
            this(start, new AtomicLong(Long.MAX_VALUE), new CopyOnWriteArrayList<>());
        }

        void offer(long occurred, long arrived) {
            if (occurred >= start && occurred <= end.get()) {
                latenciesMs.add(arrived - occurred);
            }
        }
    }

    /**
     * A loopback webhook receiver and an endpoint ({@code enabled_events: ["*"]}) to it, registered
     * once before the warm-up; a paced window counts only the webhooks of its own events.
     */
    private final class PacedLoad implements AutoCloseable {
        private final ExecutorService receiverPool = Executors.newFixedThreadPool(16);
        private final HttpServer receiver;
        private final AtomicReference<Samples> current = new AtomicReference<>();
        private final AtomicLong lastArrival = new AtomicLong();
        /** Also shown every webhook payload as it arrives. */
        private volatile Consumer<JsonNode> listener = payload -> { };
        private final String url;

        PacedLoad() throws IOException {
            receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
            receiver.setExecutor(receiverPool);
            receiver.createContext("/hooks", this::receive);
            receiver.start();
            url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks";
            HttpResponse<String> endpoint = send(post("/v1/webhook_endpoints",
                    "{\"url\":\"" + url + "\",\"enabled_events\":[\"*\"]}"));
            if (endpoint == null || endpoint.statusCode() != 201) {
                close();
                throw new IllegalStateException("webhook endpoint not registered: "
                        + (endpoint == null ? "no answer" : endpoint.statusCode() + " " + endpoint.body()));
            }
        }

        private void receive(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
            long arrived = System.currentTimeMillis();
            try (InputStream body = exchange.getRequestBody()) {
                JsonNode payload = JSON.readTree(body);
                listener.accept(payload);
                long occurred = Instant.parse(payload.path("timestamp").asText()).toEpochMilli();
                Samples window = current.get();
                if (window != null) {
                    window.offer(occurred, arrived);
                }
                lastArrival.set(arrived);
            } catch (RuntimeException e) {
                // an unreadable payload is not a latency sample
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        }

        void listen(Consumer<JsonNode> listener) {
            this.listener = listener;
        }

        /** Counts, from now on, the webhooks of the events that occur from {@code fromMillis} on. */
        WebhookCount countFrom(long fromMillis) {
            WebhookCount count = new WebhookCount(fromMillis);
            listen(count::offer);
            return count;
        }

        /** {@code rate} commands/s of the paced mix for {@code seconds}, then waits for it to settle. */
        Window window(String label, int rate, int seconds) throws Exception {
            step("%spaced mix at %d commands/s for %d s (creates, partial and full payments, cancels,"
                    + " %d s expiries; webhooks to %s)", label, rate, seconds, EXPIRES_IN_SECONDS, url);
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
            Samples samples = new Samples(System.currentTimeMillis());
            current.set(samples);
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
            samples.end().set(System.currentTimeMillis());
            step("waiting for the window's expiries, projection and webhooks to settle");
            awaitSettled(samples.end().get());
            long quietSince = System.currentTimeMillis();
            while (System.currentTimeMillis() - Math.max(lastArrival.get(), quietSince) < 3000
                    && System.currentTimeMillis() - quietSince < 60_000) {
                Thread.sleep(200);
            }
            NavigableMap<Double, Double> lag = Percentiles.delta(before,
                    Percentiles.buckets(scrape(stack.queryUrl()), LAG_HISTOGRAM));
            WebhookStages stages;
            try (Connection c = baselines.connect()) {
                stages = WebhookStages.read(c, samples.start(), samples.end().get());
            }
            Window window = new Window(rate, ok.sum() / elapsed, failed.sum(), skipped.sum(), lag,
                    samples.latenciesMs(), stages);
            out.printf("  sent %,d, ok %,d, failed %,d, not sent (256 in flight) %,d: %.0f commands/s achieved;"
                    + " %,.0f projection lag samples, %,d webhook samples%n", sent.sum(), ok.sum(), failed.sum(),
                    skipped.sum(), window.achieved(), window.lagSamples(), window.webhookMs().size());
            failures.forEach((what, n) -> out.printf("    failed: %,d × %s%n", n.sum(), what));
            out.printf("  webhooks: %s%n", stages);
            return window;
        }

        @Override
        public void close() {
            receiver.stop(0);
            receiverPool.shutdownNow();
        }
    }

    /**
     * 40 % creates (a quarter of them expiring in 5 s), 20 % partial, 20 % full payments, 10 % cancels, 10 % reads;
     * every write with an Idempotency-Key, as merchants send it and as the idle phase's creates do, so that the warm-up
     * compiles that path too (after five minutes of creates without keys, the first five idle creates with one took
     * 103–238 ms to be readable; after a minute with keys, 76 ms and then 36–62).
     */
    private HttpRequest pacedRequest(long tick, Queue<Open> open) {
        int slot = (int) (tick % 10);
        Open invoice = slot >= 4 ? open.poll() : null;
        if (invoice == null || slot < 4) {
            boolean expiring = tick % 16 == 0;
            return keyedPost("/v1/invoices", createBody(expiring ? EXPIRES_IN_SECONDS : null, tick));
        }
        long due = invoice.amountCents() - invoice.paidCents()[0];
        if (slot < 6 && due > 100) {
            invoice.paidCents()[0] += 100;
            open.add(invoice);
            return keyedPost("/v1/invoices/" + invoice.id() + "/payments", paymentBody("1.00", tick));
        }
        if (slot < 8 || invoice.paidCents()[0] > 0) {
            return keyedPost("/v1/invoices/" + invoice.id() + "/payments",
                    paymentBody(java.math.BigDecimal.valueOf(due, 2).toPlainString(), tick));
        }
        if (slot < 9) {
            return keyedPost("/v1/invoices/" + invoice.id() + "/cancel", null);
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

    /** What a closed-loop phase achieved. */
    private record Throughput(long ok, double seconds) {
        double perSecond() {
            return ok / seconds;
        }
    }

    private Throughput throughput(int seconds, IntFunction<Boolean> action) throws Exception {
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
        Throughput done = new Throughput(ok.sum(), elapsed);
        out.printf("  %,d ok, %,d failed in %.1f s: %.0f/s%n", ok.sum(), failed.sum(), elapsed, done.perSecond());
        return done;
    }

    private JsonNode create(Integer expiresIn) {
        return created(send(post("/v1/invoices", createBody(expiresIn, System.nanoTime()))));
    }

    private JsonNode pay(String invoiceId, String amount) {
        return created(send(post("/v1/invoices/" + invoiceId + "/payments", paymentBody(amount, System.nanoTime()))));
    }

    /** 1.00 on the next of {@code invoices}, round-robin; whether it was recorded. */
    private boolean payNext(List<String> invoices, AtomicLong next) {
        return pay(invoices.get((int) (next.getAndIncrement() % invoices.size())), "1.00") != null;
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
        return postBuilder(path, body).build();
    }

    /** A POST with an Idempotency-Key of its own, as merchants send it. */
    private HttpRequest keyedPost(String path, String body) {
        return postBuilder(path, body).header("Idempotency-Key", "bench-" + UUID.randomUUID()).build();
    }

    private HttpRequest.Builder postBuilder(String path, String body) {
        return authorized(path).header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
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
        services.put("api-gateway", stack.gatewayManagementUrl());
        services.put("command-service", stack.commandUrl());
        services.put("query-service", stack.queryUrl());
        services.put("webhook-dispatcher", stack.webhookUrl());
        return services;
    }

    private Map<String, Long> backendTicks(StackCpu cpu) throws SQLException {
        try (Connection c = baselines.connect()) {
            return cpu.backendTicks(c);
        }
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
                1, Instant.now(), null, amount, List.of(), "order-1", "bench invoice", "buyer@example.com",
                Map.of("bench", "true"), "http://localhost:8080/checkout/" + id.value(), null, null, null, null, false,
                InvoiceStatus.OPEN, Money.zero(usd), amount);
    }

    /** The services' logs outlive the run's data folder: they tell why a figure was off. */
    private static void keepLogs(Path from, Path to) {
        try (Stream<Path> logs = Files.list(from)) {
            Files.createDirectories(to);
            for (Path log : (Iterable<Path>) logs::iterator) {
                Files.copy(log, to.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("bench: the services' logs were not kept: " + e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Folders.delete(dir);
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
