package ledger.query.rebuild;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
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
import ledger.query.invoice.InvoiceTables;
import ledger.support.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The tables of a rebuild ({@link ProjectionRebuilder} runs the job): {@link InvoiceTables#REBUILD}, where the live
 * writers keep what changes while it runs; {@link InvoiceTables#REPLAYED}, which {@link LedgerReplay} loads, given
 * here the live table's key and indexes; and the swap that makes it the live table.
 */
@Component
class RebuildTables implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RebuildTables.class);
    private static final Pattern INDEX_DEF = Pattern.compile("^CREATE (UNIQUE )?INDEX (\\S+) ON (\\S+) (USING .*)$");

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final InvoiceTables tables;
    private final ExecutorService indexer =
            Executors.newSingleThreadExecutor(DaemonThreads.named("projection-rebuild-index-"));

    RebuildTables(DataSource dataSource, JdbcTemplate jdbc, InvoiceTables tables) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.tables = tables;
    }

    /** In a transaction: waits for the live writers' transactions to end and holds them off until it commits. */
    void lockWriters() {
        jdbc.query("SELECT pg_advisory_xact_lock(?)", rs -> null, InvoiceTables.WRITERS_LOCK);
    }

    /** Under the writers' lock: a new, empty {@link InvoiceTables#REBUILD}, instead of any a past rebuild left. */
    void create() {
        drop();
        // The live writers' upsert needs the key; nothing else reads this table.
        jdbc.execute("CREATE TABLE " + InvoiceTables.REBUILD + " (LIKE " + InvoiceTables.LIVE
                + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE, PRIMARY KEY (id))");
    }

    void drop() {
        jdbc.execute("DROP TABLE IF EXISTS " + InvoiceTables.REBUILD + ", " + InvoiceTables.REPLAYED);
    }

    /**
     * The live table's key and indexes on the replayed table, each built in one sorted pass over the
     * loaded rows: with the COPY before it, a third less of PostgreSQL's CPU than upserting into an
     * indexed table (RebuildBenchmarkIT), and a quarter less WAL. Built on another thread, so that this
     * one calls {@code heartbeat} every {@code every}; when the heartbeat throws (the rebuild was
     * cancelled or taken over), the build is cancelled and that exception rethrown.
     */
    void buildIndexes(Runnable heartbeat, Duration every) throws Exception {
        var running = new AtomicReference<Statement>();
        Future<?> build = indexer.submit(() -> {
            try (Connection connection = dataSource.getConnection();
                 Statement statement = connection.createStatement()) {
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
                    build.get(every.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    heartbeat.run();
                }
            }
        } catch (RuntimeException stopped) {
            Statement statement = running.get();
            if (statement != null) {
                statement.cancel();
            }
            try {
                build.get();
            } catch (ExecutionException cancelled) {
                log.debug("index build cancelled", cancelled);
            }
            throw stopped;
        }
    }

    void analyze() {
        jdbc.execute("ANALYZE " + InvoiceTables.REPLAYED);
    }

    /**
     * Under the writers' lock, in the transaction that ends the rebuild: what the live writers changed
     * meanwhile is merged into the replayed table — rows only ever advance to a higher version, so the
     * two writers converge whatever their interleaving — and that table, its indexes renamed, becomes the
     * live one. The live table becomes {@link InvoiceTables#PREVIOUS}, kept until the next rebuild.
     */
    void swap() {
        tables.merge(InvoiceTables.REBUILD, InvoiceTables.REPLAYED);
        List<IndexDef> live = indexes();
        jdbc.execute("DROP TABLE IF EXISTS " + InvoiceTables.PREVIOUS + ", " + InvoiceTables.REBUILD);
        for (IndexDef index : live) {
            jdbc.execute("ALTER INDEX " + index.name() + " RENAME TO " + index.name() + "_previous");
        }
        jdbc.execute("ALTER TABLE " + InvoiceTables.LIVE + " RENAME TO " + InvoiceTables.PREVIOUS);
        jdbc.execute("ALTER TABLE " + InvoiceTables.REPLAYED + " RENAME TO " + InvoiceTables.LIVE);
        for (IndexDef index : live) {
            jdbc.execute("ALTER INDEX " + rebuildName(index) + " RENAME TO " + index.name());
        }
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

    private static String createOnReplayed(IndexDef index) {
        if (index.primary()) {
            return "ALTER TABLE " + InvoiceTables.REPLAYED + " ADD CONSTRAINT " + rebuildName(index)
                    + " PRIMARY KEY (id)";
        }
        Matcher m = INDEX_DEF.matcher(index.definition());
        if (!m.matches()) {
            throw new IllegalStateException("unexpected index definition: " + index.definition());
        }
        String unique = m.group(1) == null ? "" : m.group(1);
        return "CREATE " + unique + "INDEX " + rebuildName(index) + " ON " + InvoiceTables.REPLAYED + " " + m.group(4);
    }

    private static String rebuildName(IndexDef index) {
        return index.name() + "_rebuild";
    }

    @Override
    public void destroy() {
        indexer.shutdownNow();
    }
}
