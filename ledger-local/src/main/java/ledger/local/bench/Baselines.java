package ledger.local.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;

/** What plain JDBC achieves on the same PostgreSQL, into a scratch table of schema {@code public}. */
final class Baselines {

    private final String url;
    private final String user;
    private final String password;

    Baselines(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    private void createScratch() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_scratch");
            s.execute("CREATE TABLE bench_scratch (id BIGSERIAL PRIMARY KEY, key VARCHAR(64) NOT NULL UNIQUE,"
                    + " amount NUMERIC(19,4) NOT NULL, payload JSON NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        }
    }

    /** Single-row INSERT transactions (autocommit) from {@code connections} connections; rows per second. */
    double singleRowInserts(int connections, long millis, String payload) throws Exception {
        createScratch();
        LongAdder rows = new LongAdder();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        long deadline = System.nanoTime() + millis * 1_000_000;
        long started = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < connections; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                try (Connection c = connect();
                     PreparedStatement ps = c.prepareStatement(
                             "INSERT INTO bench_scratch (key, amount, payload) VALUES (?, ?::numeric, ?::json)")) {
                    long n = 0;
                    while (System.nanoTime() < deadline) {
                        ps.setString(1, "s" + thread + "-" + n++);
                        ps.setString(2, "99.00");
                        ps.setString(3, payload);
                        ps.executeUpdate();
                        rows.increment();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        pool.shutdown();
        return rows.sum() / seconds;
    }

    /** 100-row multi-row INSERT statements (autocommit) from one connection; rows per second. */
    double batchInserts(long millis, String payload) throws Exception {
        createScratch();
        StringBuilder sql = new StringBuilder("INSERT INTO bench_scratch (key, amount, payload) VALUES ");
        for (int i = 0; i < 100; i++) {
            sql.append(i == 0 ? "" : ",").append("(?, ?::numeric, ?::json)");
        }
        long rows = 0;
        long started = System.nanoTime();
        long deadline = started + millis * 1_000_000;
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 100; i++) {
                    ps.setString(i * 3 + 1, "b" + rows++);
                    ps.setString(i * 3 + 2, "99.00");
                    ps.setString(i * 3 + 3, payload);
                }
                ps.executeUpdate();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_scratch");
        }
        return rows / seconds;
    }
}
