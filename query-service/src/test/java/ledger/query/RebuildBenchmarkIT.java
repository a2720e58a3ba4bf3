package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.stream.Stream;
import ledger.events.LedgerEvent;
import ledger.events.StoreId;
import ledger.query.ledger.LedgerEvents;
import ledger.support.consumer.Received;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Benchmark of the projection rebuild alone, not part of the default build. The ledger is seeded the
 * way {@code ./ledger bench} seeds it (an InvoiceCreated and a payment per invoice), then rebuilt a few
 * times; besides events/s (which a shared machine blurs) it reports what a change can be judged by:
 * CPU seconds of this JVM and of PostgreSQL (all its processes), and the WAL written. Run:
 * <pre>
 * ./mvnw -B -ntp -o -pl query-service -am verify -Dledger.rebuildBench=true -Dit.test=RebuildBenchmarkIT \
 *     -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false
 * </pre>
 * ({@code -Dledger.rebuildBench.events=N}, default 200,000; {@code -Dledger.rebuildBench.rounds=N}, default 3,
 * the first with a cold JIT.) Figures go to standard output, prefixed BENCH.
 */
@EnabledIfSystemProperty(named = "ledger.rebuildBench", matches = "true")
class RebuildBenchmarkIT extends QueryIntegrationTest {

    static final int EVENTS = Integer.getInteger("ledger.rebuildBench.events", 200_000);
    static final int ROUNDS = Integer.getInteger("ledger.rebuildBench.rounds", 3);
    /** Clock ticks per second of /proc/PID/stat on Linux. */
    static final double USER_HZ = 100.0;

    @Autowired
    LedgerEvents ledger;

    static void report(String format, Object... args) {
        System.out.printf("BENCH " + format + "%n", args);
    }

    @Test
    void rebuildTheSeededLedger() throws Exception {
        var store = StoreId.generate();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        var batch = new ArrayList<Received>(8_000);
        long position = 1;
        for (int i = 0; i < EVENTS / 2; i++) {
            var invoice = InvoiceHistory.of(store, BigDecimal.valueOf(1000 + i % 9000, 2).toPlainString(), "USD");
            Instant at = t0.plusMillis(i * 10L);
            invoice.create(at, null, null, "order-" + i, "bench invoice");
            invoice.pay(i % 2 == 0 ? invoice.events().get(0).amountDue().toPlainString() : "1.00", at.plusSeconds(5));
            for (LedgerEvent e : invoice.events()) {
                batch.add(new Received(e, null, position++));
            }
            if (batch.size() >= 8_000) {
                ledger.record(batch);
                batch.clear();
            }
        }
        ledger.record(batch);
        jdbc.execute("ANALYZE ledger_event");
        long total = jdbc.queryForObject("SELECT count(*) FROM ledger_event", Long.class);
        report("seeded %d events (%d in the ledger)", EVENTS, total);
        for (int round = 1; round <= ROUNDS; round++) {
            rebuild(round, total);
        }
    }

    void rebuild(int round, long total) throws IOException {
        jdbc.execute("CHECKPOINT"); // so no round pays for the previous one's dirty pages
        long jvmCpu = jvmCpuNanos();
        long rebuildCpu = rebuildThreadsCpuNanos();
        long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long pgCpu = postgresCpuTicks();
        long walBefore = walBytes();
        long start = System.nanoTime();
        var started = api().post("/admin/v1/projections/invoices/rebuild", ADMIN_TOKEN, null).json();
        String id = started.get("id").asText();
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100)).until(() -> !api()
                .get("/admin/v1/projections/invoices/rebuild/" + id, ADMIN_TOKEN).json().get("state").asText()
                .equals("running"));
        double wall = (System.nanoTime() - start) / 1e9;
        var done = api().get("/admin/v1/projections/invoices/rebuild/" + id, ADMIN_TOKEN).json();
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("completed");
        report("rebuild #%d of %d events: %d ms = %d events/s (wall %.1f s); CPU: JVM %.1f s (rebuild threads %.1f s,"
                        + " JIT compiling %.1f s), PostgreSQL %.1f s; WAL %.0f MB", round, total,
                done.get("elapsed_ms").asLong(), done.get("events_per_second").asLong(), wall,
                (jvmCpuNanos() - jvmCpu) / 1e9, (rebuildThreadsCpuNanos() - rebuildCpu) / 1e9,
                (ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit) / 1e3,
                (postgresCpuTicks() - pgCpu) / USER_HZ, (walBytes() - walBefore) / 1e6);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM invoice", Long.class)).isEqualTo(total / 2);
    }

    long walBytes() {
        return jdbc.queryForObject("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn", Long.class);
    }

    static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU time of the rebuilder's own threads (named projection-rebuild…), alive ones. */
    static long rebuildThreadsCpuNanos() {
        var threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("projection-rebuild")) {
                sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }

    /** User and system ticks of the postmaster and every process under it, ended ones included; -1 if unknown. */
    long postgresCpuTicks() throws IOException {
        int backend = jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class);
        String[] own = stat(backend);
        if (own == null) {
            return -1;
        }
        String postmaster = own[3];
        String[] master = stat(Integer.parseInt(postmaster));
        // cutime/cstime: children that ended (parallel workers, earlier backends).
        long ticks = Long.parseLong(master[13]) + Long.parseLong(master[14]) + Long.parseLong(master[15])
                + Long.parseLong(master[16]);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String[] s = stat(Integer.parseInt(p.getFileName().toString()));
                if (s != null && s[3].equals(postmaster)) {
                    ticks += Long.parseLong(s[13]) + Long.parseLong(s[14]);
                }
            }
        }
        return ticks;
    }

    /** Fields of /proc/PID/stat after the command name, numbered as in proc(5) minus one; null if gone. */
    static String[] stat(int pid) {
        try {
            String line = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String rest = line.substring(line.lastIndexOf(')') + 2);
            String[] fields = rest.split(" ");
            String[] numbered = new String[fields.length + 2];
            System.arraycopy(fields, 0, numbered, 2, fields.length);
            return numbered;
        } catch (IOException e) {
            return null;
        }
    }
}
