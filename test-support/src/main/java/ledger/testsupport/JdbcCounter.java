package ledger.testsupport;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Counts what a service sends PostgreSQL through its data source — statements, commits and result rows read —
 * per kind of thread (the service's classifier names the kinds: its Kafka listeners, its poller…). The
 * embedded server lacks pg_stat_statements; counting at the JDBC connection gives the same figure per path.
 * Declare it as a static {@code @Bean} (or {@code @Import} a subclass) in the test context.
 */
public class JdbcCounter implements BeanPostProcessor {

    /**
     * Statements, commits and rows read so far; {@code idleCommits} are the transactions of one query that found
     * no row (a poll with nothing to do), counted in the others as well.
     */
    public record Counts(long statements, long commits, long rows, long idleCommits) {
        public Counts minus(Counts other) {
            return new Counts(statements - other.statements, commits - other.commits, rows - other.rows,
                    idleCommits - other.idleCommits);
        }

        /** The figures without the idle transactions: what the work itself cost. */
        public Counts working() {
            return new Counts(statements - idleCommits, commits - idleCommits, rows, 0);
        }
    }

    private static final int STATEMENTS = 0;
    private static final int COMMITS = 1;
    private static final int ROWS = 2;
    private static final int IDLE = 3;

    private final Function<String, String> kindOfThread;
    private final Map<String, AtomicLongArray> counters = new ConcurrentHashMap<>();

    /** {@code kindOfThread} maps a thread's name to the kind its work is counted under. */
    public JdbcCounter(Function<String, String> kindOfThread) {
        this.kindOfThread = kindOfThread;
    }

    public Counts counts(String kind) {
        AtomicLongArray c = counters.getOrDefault(kind, new AtomicLongArray(4));
        return new Counts(c.get(STATEMENTS), c.get(COMMITS), c.get(ROWS), c.get(IDLE));
    }

    private void count(int what) {
        counters.computeIfAbsent(kindOfThread.apply(Thread.currentThread().getName()), k -> new AtomicLongArray(4))
                .incrementAndGet(what);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof DataSource dataSource) || bean instanceof DelegatingDataSource) {
            return bean;
        }
        return new DelegatingDataSource(dataSource) {
            @Override
            public Connection getConnection() throws SQLException {
                return proxy(Connection.class, super.getConnection(), new Transaction());
            }

            @Override
            public Connection getConnection(String username, String password) throws SQLException {
                return proxy(Connection.class, super.getConnection(username, password), new Transaction());
            }
        };
    }

    /** The statements and rows of a pooled connection's current transaction (it serves one thread at a time). */
    private static final class Transaction {
        final AtomicLong statements = new AtomicLong();
        final AtomicLong results = new AtomicLong();
        final AtomicLong rows = new AtomicLong();

        boolean idle() {
            return statements.get() == 1 && results.get() == 1 && rows.get() == 0;
        }

        void reset() {
            statements.set(0);
            results.set(0);
            rows.set(0);
        }
    }

    /** Wraps a connection, its statements and their result sets. */
    private <T> T proxy(Class<T> type, T target, Transaction transaction) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (type == Connection.class) {
                switch (method.getName()) {
                    case "commit" -> {
                        count(COMMITS);
                        if (transaction.idle()) {
                            count(IDLE);
                        }
                        transaction.reset();
                    }
                    case "rollback", "close" -> transaction.reset();
                    default -> {
                    }
                }
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (result instanceof PreparedStatement ps) {
                counted(transaction);
                return proxy(PreparedStatement.class, ps, transaction);
            }
            if (result instanceof Statement s) {
                counted(transaction);
                return proxy(Statement.class, s, transaction);
            }
            if (result instanceof ResultSet rs) {
                transaction.results.incrementAndGet();
                return proxy(ResultSet.class, rs, transaction);
            }
            if (type == ResultSet.class && method.getName().equals("next") && Boolean.TRUE.equals(result)) {
                count(ROWS);
                transaction.rows.incrementAndGet();
            }
            return result;
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private void counted(Transaction transaction) {
        count(STATEMENTS);
        transaction.statements.incrementAndGet();
    }
}
