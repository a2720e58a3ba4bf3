package ledger.query.rebuild;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import ledger.events.Ids;
import ledger.query.invoice.InvoiceTables;
import ledger.query.web.Instants;
import ledger.support.DaemonThreads;
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
 * <p>This class runs the job; {@link RebuildTables} does what each step does to the tables.
 *
 * <p>Progress is kept in {@code projection_rebuild} (so any instance can answer for it) with a
 * heartbeat; a rebuild whose heartbeat stopped (its instance died) is taken over by the next start.
 */
@Component
public class ProjectionRebuilder implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ProjectionRebuilder.class);
    static final Duration ABANDONED_AFTER = Duration.ofSeconds(60);
    private static final Duration PROGRESS_EVERY = Duration.ofMillis(250);

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final RebuildTables tables;
    private final TransactionTemplate transaction;
    private final Clock clock;
    private final int parallelism = Runtime.getRuntime().availableProcessors();
    private final ExecutorService worker =
            Executors.newSingleThreadExecutor(DaemonThreads.named("projection-rebuild-"));
    private final ExecutorService folders = Executors.newFixedThreadPool(parallelism,
            DaemonThreads.named("projection-rebuild-fold-"));

    ProjectionRebuilder(DataSource dataSource, JdbcTemplate jdbc, RebuildTables tables,
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
            tables.lockWriters();
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
                        Instants.sql(now), "abandoned: no heartbeat since " + other[1], other[0]);
            }
            tables.create();
            jdbc.update("""
                    INSERT INTO projection_rebuild (id, projection, state, phase, max_events_per_second, started_at,
                                                    heartbeat_at)
                    VALUES (?, ?, 'running', 'replaying', ?, ?, ?)""",
                    id, InvoiceTables.PROJECTION, maxEventsPerSecond, Instants.sql(now), Instants.sql(now));
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
            tables.lockWriters();
            jdbc.update("""
                    UPDATE projection_rebuild SET state = 'cancelled', finished_at = ?
                    WHERE id = ? AND state = 'running'""", Instants.sql(clock.instant()), id);
        });
        return status(id);
    }

    private void run(String id, Integer maxEventsPerSecond) {
        try {
            long total = replay(id, maxEventsPerSecond);
            long indexing = System.nanoTime();
            heartbeat(id, "indexing", total);
            tables.buildIndexes(() -> heartbeat(id, "indexing", total), PROGRESS_EVERY);
            tables.analyze();
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
                    tables.lockWriters();
                    jdbc.update("""
                            UPDATE projection_rebuild SET state = 'failed', finished_at = ?, error = ?
                            WHERE id = ? AND state = 'running'""",
                            Instants.sql(clock.instant()), String.valueOf(e), id);
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
                (rs, i) -> (Integer) rs.getObject(1), processed, phase, Instants.sql(clock.instant()), id);
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

    private void swap(String id, long total) {
        heartbeat(id, "swapping", total);
        transaction.executeWithoutResult(tx -> {
            // Readers of the live table must not hold the swap up for long; fail and report instead.
            jdbc.execute("SET LOCAL lock_timeout = '30s'");
            tables.lockWriters();
            String state = jdbc.queryForObject("SELECT state FROM projection_rebuild WHERE id = ? FOR UPDATE",
                    String.class, id);
            if (!"running".equals(state)) {
                throw new Stopped("no longer running before the swap (" + state + ")");
            }
            tables.swap();
            jdbc.update("""
                    UPDATE projection_rebuild SET state = 'completed', phase = 'done', processed_events = total_events,
                        finished_at = ?, heartbeat_at = ?
                    WHERE id = ?""", Instants.sql(clock.instant()), Instants.sql(clock.instant()), id);
        });
    }

    private void dropRebuildTable() {
        transaction.executeWithoutResult(tx -> {
            tables.lockWriters();
            boolean anotherRunning = Boolean.TRUE.equals(jdbc.queryForObject(
                    "SELECT EXISTS (SELECT 1 FROM projection_rebuild WHERE projection = ? AND state = 'running')",
                    Boolean.class, InvoiceTables.PROJECTION));
            if (!anotherRunning) {
                tables.drop();
            }
        });
    }

    /** The rebuild was cancelled or taken over: stop quietly. */
    private static final class Stopped extends RuntimeException {
        Stopped(String message) {
            super(message);
        }
    }

    @Override
    public void destroy() {
        worker.shutdownNow();
        folders.shutdownNow();
    }
}
