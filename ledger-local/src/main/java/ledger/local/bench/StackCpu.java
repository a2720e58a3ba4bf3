package ledger.local.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of the stack the bench started, per process tree: PostgreSQL (the postmaster and all its
 * backends and workers), Kafka (a child JVM of the bench for this reason) and each service JVM. The
 * bench's own JVM — load generator and webhook receiver — is not part of it. The pids come from the
 * files the launcher keeps in its data folder.
 */
final class StackCpu {

    static final String TOTAL = "total";
    private static final String POSTGRES = "postgres";
    private static final List<String> SERVICES =
            List.of("api-gateway", "command-service", "query-service", "webhook-dispatcher");
    /** The services with a connection pool; each names its connections after itself ({@code ApplicationName}). */
    private static final List<String> DATABASE_CLIENTS = List.of("command-service", "query-service", "webhook-dispatcher");

    private final ProcessCpu processes;
    private final Map<String, Long> roots;
    private final long ticksPerSecond;

    private StackCpu(ProcessCpu processes, Map<String, Long> roots, long ticksPerSecond) {
        this.processes = processes;
        this.roots = roots;
        this.ticksPerSecond = ticksPerSecond;
    }

    /** The stack of the launcher's data folder {@code dataDir}; Kafka must run as a child process. */
    static StackCpu of(Path dataDir) throws IOException {
        Map<String, Long> roots = new LinkedHashMap<>();
        roots.put(POSTGRES, pidIn(dataDir.resolve("postgres").resolve("postmaster.pid")));
        roots.put("kafka", pidIn(dataDir.resolve("run").resolve("kafka.pid")));
        for (String service : SERVICES) {
            roots.put(service, pidIn(dataDir.resolve("run").resolve(service + ".pid")));
        }
        if (roots.containsValue(ProcessHandle.current().pid())) {
            throw new IllegalStateException("a stack process is the bench's own JVM: " + roots);
        }
        return new StackCpu(new ProcessCpu(Path.of("/proc")), roots, ProcessCpu.clockTicksPerSecond());
    }

    /** postmaster.pid and the launcher's pid files start with the pid. */
    private static long pidIn(Path file) throws IOException {
        String content = Files.readString(file, StandardCharsets.UTF_8).strip();
        return Long.parseLong(content.lines().findFirst().orElse("").strip());
    }

    Map<String, Long> pids() {
        return Map.copyOf(roots);
    }

    /** Clock ticks used so far, per process tree. */
    Map<String, Long> read() {
        return processes.ticks(roots);
    }

    /** Clock ticks so far of each JVM's JIT compiler threads (Kafka's and the services'), by JVM and then thread. */
    Map<String, Map<Long, Long>> compilerTicks() {
        Map<String, Map<Long, Long>> ticks = new LinkedHashMap<>();
        roots.forEach((process, pid) -> {
            if (!process.equals(POSTGRES)) {
                ticks.put(process, processes.compilerThreadTicks(pid));
            }
        });
        return ticks;
    }

    /** {@link #msPerCreate} of two {@link #compilerTicks} readings: the part of each JVM's figure spent compiling. */
    Map<String, Double> compilerMsPerCreate(Map<String, Map<Long, Long>> before, Map<String, Map<Long, Long>> after,
                                            long creates) {
        Map<String, Long> used = new LinkedHashMap<>();
        after.forEach((jvm, threads) -> used.put(jvm, ProcessCpu.ticksSince(before.getOrDefault(jvm, Map.of()), threads)));
        return msPerCreate(Map.of(), used, creates);
    }

    /**
     * Each JVM's compilers' part of its CPU, and under {@link #TOTAL} all the compilers' part of all the JVMs' CPU, from
     * a {@link #msPerCreate} and a {@link #compilerMsPerCreate} of the same window; 0 where no CPU was used.
     */
    static Map<String, Double> compilerShare(Map<String, Double> msPerProcess, Map<String, Double> compilerMs) {
        Map<String, Double> share = new LinkedHashMap<>();
        double compiling = 0;
        double jvms = 0;
        for (Map.Entry<String, Double> jvm : compilerMs.entrySet()) {
            if (!jvm.getKey().equals(TOTAL)) {
                double all = msPerProcess.getOrDefault(jvm.getKey(), 0.0);
                share.put(jvm.getKey(), all > 0 ? jvm.getValue() / all : 0);
                compiling += jvm.getValue();
                jvms += all;
            }
        }
        share.put(TOTAL, jvms > 0 ? compiling / jvms : 0);
        return share;
    }

    /**
     * Clock ticks so far of each PostgreSQL backend serving a service, keyed as by {@link #backends}: which service's
     * work PostgreSQL's share is. A pool keeps its connections, so the same backends are there at both readings.
     */
    Map<String, Long> backendTicks(Connection db) throws SQLException {
        return processes.ticks(backends(db));
    }

    /** The pid of each PostgreSQL backend serving a service, keyed {@code "<service> <pid>"}. */
    static Map<String, Long> backends(Connection db) throws SQLException {
        Map<String, Long> backends = new LinkedHashMap<>();
        try (var query = db.prepareStatement("""
                SELECT application_name, pid FROM pg_stat_activity
                WHERE backend_type = 'client backend' AND application_name = ANY (?)""")) {
            query.setArray(1, db.createArrayOf("text", DATABASE_CLIENTS.toArray()));
            try (var rows = query.executeQuery()) {
                while (rows.next()) {
                    backends.put(rows.getString(1) + " " + rows.getLong(2), rows.getLong(2));
                }
            }
        }
        return backends;
    }

    /**
     * {@link #msPerCreate} of two {@link #backendTicks} readings summed by the service each backend serves. A backend
     * that started between the readings counts from nothing; one that ended is left out (its ticks went to the
     * postmaster's reaped total, which {@code postgres} of {@link #msPerCreate} still counts).
     */
    static Map<String, Double> byService(Map<String, Double> msPerBackend) {
        double none = Double.isNaN(msPerBackend.get(TOTAL)) ? Double.NaN : 0; // no creates: no figure
        Map<String, Double> perService = new LinkedHashMap<>();
        DATABASE_CLIENTS.forEach(service -> perService.put(service, none));
        msPerBackend.forEach((backend, ms) -> {
            if (!backend.equals(TOTAL)) {
                perService.merge(backend.substring(0, backend.indexOf(' ')), ms, Double::sum);
            }
        });
        return perService;
    }

    /** Milliseconds of CPU per create between two readings, per process tree and then {@link #TOTAL}. */
    Map<String, Double> msPerCreate(Map<String, Long> before, Map<String, Long> after, long creates) {
        return msPerCreate(before, after, creates, ticksPerSecond);
    }

    static Map<String, Double> msPerCreate(Map<String, Long> before, Map<String, Long> after, long creates,
                                           long ticksPerSecond) {
        Map<String, Double> perCreate = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<String, Long> entry : after.entrySet()) {
            long used = entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
            total += used;
            perCreate.put(entry.getKey(), msPer(used, creates, ticksPerSecond));
        }
        perCreate.put(TOTAL, msPer(total, creates, ticksPerSecond));
        return perCreate;
    }

    /**
     * {@code cpu_ms_per_create} (the total, with the target), {@code cpu_ms_per_create_by_process},
     * {@code postgres_cpu_ms_per_create_by_service} and {@code compiler_cpu_ms_per_create_by_process}.
     */
    static void putInto(BenchResults results, Map<String, Double> msPerCreate, Map<String, Double> backendMsPerCreate,
                        Map<String, Double> compilerMsPerCreate) {
        results.put("cpu_ms_per_create", msPerCreate.get(TOTAL), BenchResults.Target.below(4, "≤ 4"));
        msPerCreate.forEach((process, ms) -> {
            if (!process.equals(TOTAL)) {
                results.putIn("cpu_ms_per_create_by_process", process, ms);
            }
        });
        backendMsPerCreate.forEach((service, ms) -> results.putIn("postgres_cpu_ms_per_create_by_service", service, ms));
        compilerMsPerCreate.forEach((jvm, ms) -> results.putIn("compiler_cpu_ms_per_create_by_process", jvm, ms));
    }

    private static double msPer(long ticks, long creates, long ticksPerSecond) {
        return creates <= 0 ? Double.NaN : ticks * 1000.0 / ticksPerSecond / creates;
    }
}
