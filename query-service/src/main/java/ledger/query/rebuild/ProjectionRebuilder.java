package ledger.query.rebuild;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import ledger.events.Ids;
import ledger.query.invoice.InvoiceTables;
import ledger.support.web.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Rebuilds the invoice read model from the whole ledger while the live one keeps serving, then swaps
 * the two atomically.
 *
 * <ol>
 *   <li><b>Start</b> (one transaction holding {@link InvoiceTables#WRITERS_LOCK} exclusively): create
 *       an empty {@code invoice_rebuild} with the live table's key only, and record the rebuild as
 *       {@code running}. From the next projection transaction on, live writers apply every new event
 *       to both tables; {@code invoice_rebuild} thus collects what changes during the rebuild.</li>
 *   <li><b>Replay</b> ({@link LedgerReplay}): one REPEATABLE READ snapshot of {@code ledger_event},
 *       streamed in (invoice, sequence) order, each invoice folded with the live projection's own fold
 *       by one of several threads, the rows streamed into a new {@code invoice_replayed} without
 *       indexes. Every event committed before the snapshot is in it; every later one reaches
 *       {@code invoice_rebuild} through the live writers.</li>
 *   <li><b>Indexing</b>: the live table's key and indexes are built on {@code invoice_replayed}, each in
 *       one sorted pass, then it is analysed. Nobody else uses that table yet, so nothing waits.</li>
 *   <li><b>Swap</b> (one transaction holding the writers' lock exclusively): the rows of
 *       {@code invoice_rebuild} are merged into {@code invoice_replayed} — rows only ever advance to a
 *       higher version, so the two writers converge whatever their interleaving — the live table
 *       becomes {@code invoice_previous} (kept until the next rebuild, for comparison), the new one
 *       becomes {@code invoice}, index names follow, the rebuild is {@code completed}. Live writers
 *       wait for the merge of what changed during the rebuild; readers block only for the few
 *       milliseconds of the renames and then read the new table.</li>
 * </ol>
 * The source is this service's own {@code ledger_event} — the ledger exactly as delivered and
 * deduplicated — rather than the Kafka topic from offset 0: it is indexed by invoice (so no replay
 * state has to be held in memory), already free of duplicates, and consistent with the snapshot that
 * the live writers' hand-over is defined against.
 *
 * <p>Progress is kept in {@code projection_rebuild} (so any instance can answer for it) with a
 * heartbeat; a rebuild whose heartbeat stopped (its instance died) is taken over by the next start.
 */
@Component
public class ProjectionRebuilder implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ProjectionRebuilder.class);
    static final Duration ABANDONED_AFTER = Duration.ofSeconds(60);
    private static final Duration PROGRESS_EVERY = Duration.ofMillis(250);
    private static final Pattern INDEX_DEF = Pattern.compile("^CREATE (UNIQUE )?INDEX (\\S+) ON (\\S+) (USING .*)$");

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final InvoiceTables tables;
    private final TransactionTemplate transaction;
    private final Clock clock;
    private final int parallelism = Runtime.getRuntime().availableProcessors();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> daemon(r, "projection-rebuild"));
    private final ExecutorService folders = Executors.newFixedThreadPool(parallelism,
            r -> daemon(r, "projection-rebuild-fold"));
    private final ExecutorService indexer = Executors.newSingleThreadExecutor(
            r -> daemon(r, "projection-rebuild-index"));

    ProjectionRebuilder(DataSource dataSource, JdbcTemplate jdbc, InvoiceTables tables,
                        PlatformTransactionManager transactions, Clock clock) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.tables = tables;
        this.transaction = new TransactionTemplate(transactions);
        // Its own transactions even inside a request's (Idempotency runs POSTs in one): the worker started
        // right after must see the committed start, and the writers' lock must not be held until the response.
        this.transaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.clock = clock;
    }

    /** Starts a rebuild in the background; 409 {@code rebuild_in_progress} while another one runs. */
    public RebuildStatus start(Integer maxEventsPerSecond) {
        validatePace(maxEventsPerSecond);
        String id = "rb_" + Ids.randomToken(24);
        transaction.executeWithoutResult(tx -> {
            lockWriters();
            Instant now = clock.instant();
            var running = jdbc.query("""
                    SELECT id, heartbeat_at FROM projection_rebuild WHERE projection = ? AND state = 'running'
                    FOR UPDATE""", (rs, i) -> new Object[] {rs.getString(1),
                    rs.getObject(2, OffsetDateTime.class).toInstant()}, InvoiceTables.PROJECTION);
            for (Object[] other : running) {
                if (((Instant) other[1]).isAfter(now.minus(ABANDONED_AFTER))) {
                    throw new ApiException(HttpStatus.CONFLICT, "rebuild_in_progress",
                            "Rebuild " + other[0] + " is still running");
                }
                jdbc.update("""
                        UPDATE projection_rebuild SET state = 'failed', finished_at = ?, error = ? WHERE id = ?""",
                        sql(now), "abandoned: no heartbeat since " + other[1], other[0]);
            }
            jdbc.execute("DROP TABLE IF EXISTS " + InvoiceTables.REBUILD + ", " + InvoiceTables.REPLAYED);
            // The live writers' upsert needs the key; nothing else reads this table.
            jdbc.execute("CREATE TABLE " + InvoiceTables.REBUILD + " (LIKE " + InvoiceTables.LIVE
                    + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE,"
                    + " PRIMARY KEY (id))");
            jdbc.update("""
                    INSERT INTO projection_rebuild (id, projection, state, phase, max_events_per_second, started_at,
                                                    heartbeat_at)
                    VALUES (?, ?, 'running', 'replaying', ?, ?, ?)""",
                    id, InvoiceTables.PROJECTION, maxEventsPerSecond, sql(now), sql(now));
        });
        log.info("Projection rebuild {} started", id);
        worker.submit(() -> run(id, maxEventsPerSecond));
        return status(id).orElseThrow();
    }

    public Optional<RebuildStatus> status(String id) {
        return jdbc.query("SELECT " + RebuildStatus.COLUMNS + " FROM projection_rebuild WHERE id = ?",
                (rs, i) -> RebuildStatus.read(rs, clock.instant()), id).stream().findFirst();
    }

    public Optional<RebuildStatus> latest() {
        return jdbc.query("SELECT " + RebuildStatus.COLUMNS
                        + " FROM projection_rebuild WHERE projection = ? ORDER BY started_at DESC LIMIT 1",
                (rs, i) -> RebuildStatus.read(rs, clock.instant()), InvoiceTables.PROJECTION).stream().findFirst();
    }

    /** Cancels a running rebuild: its worker stops at its next progress report and drops its table. */
    public Optional<RebuildStatus> cancel(String id) {
        transaction.executeWithoutResult(tx -> {
            lockWriters();
            jdbc.update("""
                    UPDATE projection_rebuild SET state = 'cancelled', finished_at = ?
                    WHERE id = ? AND state = 'running'""", sql(clock.instant()), id);
        });
        return status(id);
    }

    private void run(String id, Integer maxEventsPerSecond) {
        try {
            long total = replay(id, maxEventsPerSecond);
            long indexing = System.nanoTime();
            buildIndexes(id, total);
            jdbc.execute("ANALYZE " + InvoiceTables.REPLAYED);
            long swapping = System.nanoTime();
            swap(id, total);
            log.info("Rebuild {} built its indexes and analysed its table in {} ms, merged and swapped in {} ms", id,
                    (swapping - indexing) / 1_000_000, (System.nanoTime() - swapping) / 1_000_000);
            log.info("Projection rebuild {} completed", id);
        } catch (Stopped e) {
            log.info("Projection rebuild {} stopped: {}", id, e.getMessage());
            try {
                dropRebuildTable();
            } catch (RuntimeException again) {
                log.error("Could not drop the tables of stopped rebuild {}", id, again);
            }
        } catch (Exception e) {
            log.error("Projection rebuild {} failed", id, e);
            try {
                transaction.executeWithoutResult(tx -> {
                    lockWriters();
                    jdbc.update("""
                            UPDATE projection_rebuild SET state = 'failed', finished_at = ?, error = ?
                            WHERE id = ? AND state = 'running'""", sql(clock.instant()), String.valueOf(e), id);
                });
                dropRebuildTable();
            } catch (RuntimeException again) {
                log.error("Could not record the failure of rebuild {}", id, again);
            }
        }
    }

    private long replay(String id, Integer maxEventsPerSecond) throws Exception {
        try (Connection source = dataSource.getConnection(); Connection target = dataSource.getConnection()) {
            source.setAutoCommit(false);
            source.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            source.setReadOnly(true);
            long total;
            try (Statement count = source.createStatement();
                 ResultSet rs = count.executeQuery("SELECT count(*) FROM ledger_event")) {
                rs.next();
                total = rs.getLong(1); // also fixes the snapshot: everything later arrives through the live writers
            }
            jdbc.update("UPDATE projection_rebuild SET total_events = ? WHERE id = ?", total, id);
            var progress = new Progress(id, maxEventsPerSecond);
            var replay = new LedgerReplay(folders, parallelism, LedgerReplay.Sizes.DEFAULT);
            long start = System.nanoTime();
            long read = replay.run(source, target, progress::advance);
            source.commit();
            log.info("Rebuild {} replayed {} events in {} ms; {}", id, read, (System.nanoTime() - start) / 1_000_000,
                    replay.timings());
            return total;
        }
    }

    /**
     * Counts replayed events, paces the replay when a maximum rate is set (re-read at every heartbeat,
     * so an operator can change it while the rebuild runs), reports progress, and notices a cancellation.
     */
    private final class Progress {
        private final String id;
        private Integer maxEventsPerSecond;
        private long paceStartNanos = System.nanoTime();
        private long paceStartCount;
        private long lastReport = paceStartNanos;
        long processed;

        Progress(String id, Integer maxEventsPerSecond) {
            this.id = id;
            this.maxEventsPerSecond = maxEventsPerSecond;
        }

        void advance() throws InterruptedException {
            processed++;
            while (true) {
                long now = System.nanoTime();
                if (now - lastReport >= PROGRESS_EVERY.toNanos()) {
                    lastReport = now;
                    Integer rate = heartbeat(id, "replaying", processed);
                    if (!java.util.Objects.equals(rate, maxEventsPerSecond)) {
                        maxEventsPerSecond = rate;
                        paceStartNanos = now;
                        paceStartCount = processed;
                    }
                }
                if (maxEventsPerSecond == null) {
                    return;
                }
                long due = paceStartNanos + (processed - paceStartCount) * 1_000_000_000L / maxEventsPerSecond;
                long ahead = due - now;
                if (ahead <= 0) {
                    return;
                }
                // Sleep in slices so heartbeats, cancellations and a changed pace are seen in time.
                long slice = Math.min(ahead, PROGRESS_EVERY.toNanos());
                Thread.sleep(slice / 1_000_000, (int) (slice % 1_000_000));
            }
        }
    }

    /** Records progress; returns the pace now asked for, or stops the rebuild if it is no longer running. */
    private Integer heartbeat(String id, String phase, long processed) {
        List<Integer> rate = jdbc.query("""
                UPDATE projection_rebuild SET processed_events = ?, phase = ?, heartbeat_at = ?
                WHERE id = ? AND state = 'running' RETURNING max_events_per_second""",
                (rs, i) -> (Integer) rs.getObject(1), processed, phase, sql(clock.instant()), id);
        if (rate.isEmpty()) {
            throw new Stopped("no longer running (cancelled, or taken over after a stall)");
        }
        return rate.get(0);
    }

    /** Changes the pace of a running rebuild; null removes the limit. */
    public Optional<RebuildStatus> pace(String id, Integer maxEventsPerSecond) {
        validatePace(maxEventsPerSecond);
        jdbc.update("UPDATE projection_rebuild SET max_events_per_second = ? WHERE id = ? AND state = 'running'",
                maxEventsPerSecond, id);
        return status(id);
    }

    private static void validatePace(Integer maxEventsPerSecond) {
        if (maxEventsPerSecond != null && maxEventsPerSecond < 1) {
            throw ApiException.invalid("max_events_per_second", "max_events_per_second must be positive");
        }
    }

    /**
     * The live table's key and indexes on the replayed table, each built in one sorted pass over the
     * loaded rows: with the COPY before it, a third less of PostgreSQL's CPU than upserting into an
     * indexed table (RebuildBenchmarkIT), and a quarter less WAL. Built on
     * another thread so that this one keeps the heartbeat going and can cancel a build that outlives
     * the rebuild.
     */
    private void buildIndexes(String id, long total) throws Exception {
        heartbeat(id, "indexing", total);
        var running = new AtomicReference<Statement>();
        Future<?> build = indexer.submit(() -> {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                running.set(statement);
                // Sorts in memory rather than in temporary files; one build at a time.
                statement.execute("SET maintenance_work_mem = '256MB'");
                try {
                    for (IndexDef index : indexes()) {
                        statement.execute(createOnReplayed(index));
                    }
                } finally {
                    statement.execute("RESET maintenance_work_mem");
                }
            }
            return null;
        });
        try {
            while (true) {
                try {
                    build.get(PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    heartbeat(id, "indexing", total);
                }
            }
        } catch (Stopped e) {
            Statement statement = running.get();
            if (statement != null) {
                statement.cancel();
            }
            try {
                build.get();
            } catch (ExecutionException cancelled) {
                log.debug("index build cancelled", cancelled);
            }
            throw e;
        }
    }

    private static String createOnReplayed(IndexDef index) {
        if (index.primary()) {
            return "ALTER TABLE " + InvoiceTables.REPLAYED + " ADD CONSTRAINT " + rebuildName(index.name())
                    + " PRIMARY KEY (id)";
        }
        Matcher m = INDEX_DEF.matcher(index.definition());
        if (!m.matches()) {
            throw new IllegalStateException("unexpected index definition: " + index.definition());
        }
        String unique = m.group(1) == null ? "" : m.group(1);
        return "CREATE " + unique + "INDEX " + rebuildName(index.name()) + " ON " + InvoiceTables.REPLAYED + " "
                + m.group(4);
    }

    private void swap(String id, long total) {
        heartbeat(id, "swapping", total);
        transaction.executeWithoutResult(tx -> {
            // Readers of the live table must not hold the swap up for long; fail and report instead.
            jdbc.execute("SET LOCAL lock_timeout = '30s'");
            lockWriters();
            String state = jdbc.queryForObject("SELECT state FROM projection_rebuild WHERE id = ? FOR UPDATE",
                    String.class, id);
            if (!"running".equals(state)) {
                throw new Stopped("no longer running before the swap (" + state + ")");
            }
            // What the live writers changed during the rebuild; from here on they wait for the swap.
            tables.merge(InvoiceTables.REBUILD, InvoiceTables.REPLAYED);
            List<IndexDef> live = indexes();
            jdbc.execute("DROP TABLE IF EXISTS " + InvoiceTables.PREVIOUS + ", " + InvoiceTables.REBUILD);
            for (IndexDef index : live) {
                jdbc.execute("ALTER INDEX " + index.name() + " RENAME TO " + previousName(index.name()));
            }
            jdbc.execute("ALTER TABLE " + InvoiceTables.LIVE + " RENAME TO " + InvoiceTables.PREVIOUS);
            jdbc.execute("ALTER TABLE " + InvoiceTables.REPLAYED + " RENAME TO " + InvoiceTables.LIVE);
            for (IndexDef index : live) {
                jdbc.execute("ALTER INDEX " + rebuildName(index.name()) + " RENAME TO " + index.name());
            }
            jdbc.update("""
                    UPDATE projection_rebuild SET state = 'completed', phase = 'done', processed_events = total_events,
                        finished_at = ?, heartbeat_at = ?
                    WHERE id = ?""", sql(clock.instant()), sql(clock.instant()), id);
        });
    }

    private void dropRebuildTable() {
        transaction.executeWithoutResult(tx -> {
            lockWriters();
            boolean anotherRunning = Boolean.TRUE.equals(jdbc.queryForObject(
                    "SELECT EXISTS (SELECT 1 FROM projection_rebuild WHERE projection = ? AND state = 'running')",
                    Boolean.class, InvoiceTables.PROJECTION));
            if (!anotherRunning) {
                jdbc.execute("DROP TABLE IF EXISTS " + InvoiceTables.REBUILD + ", " + InvoiceTables.REPLAYED);
            }
        });
    }

    private record IndexDef(String name, String definition, boolean primary) {
    }

    /** The live table's indexes, as PostgreSQL would recreate them. */
    private List<IndexDef> indexes() {
        return jdbc.query("""
                SELECT i.relname, pg_get_indexdef(i.oid), x.indisprimary
                FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid
                JOIN pg_class t ON t.oid = x.indrelid
                WHERE t.relname = ? AND t.relnamespace = current_schema()::text::regnamespace
                ORDER BY i.relname""",
                (rs, i) -> new IndexDef(rs.getString(1), rs.getString(2), rs.getBoolean(3)), InvoiceTables.LIVE);
    }

    private void lockWriters() {
        jdbc.query("SELECT pg_advisory_xact_lock(?)", rs -> null, InvoiceTables.WRITERS_LOCK);
    }

    private static String rebuildName(String index) {
        return index + "_rebuild";
    }

    private static String previousName(String index) {
        return index + "_previous";
    }

    private static OffsetDateTime sql(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    /** The rebuild was cancelled or taken over: stop quietly. */
    private static final class Stopped extends RuntimeException {
        Stopped(String message) {
            super(message);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        var t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void destroy() {
        worker.shutdownNow();
        folders.shutdownNow();
        indexer.shutdownNow();
    }
}
