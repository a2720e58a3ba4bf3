package ledger.webhook;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Counts the SQL statements and commits the dispatcher sends, per kind of thread: the Kafka listener
 * (the inbox), the poller and the workers (the queue). PostgreSQL's pg_stat_statements needs a preloaded
 * library the embedded server lacks; counting at the JDBC connection gives the same figure per path.
 */
public final class StatementCounter implements BeanPostProcessor {

    /**
     * Statements and commits of one kind of thread; {@code idlePolls} are the poller's rounds that found
     * nothing to do (one query, one commit), counted in the other two as well.
     */
    public record Counts(long statements, long commits, long idlePolls) {
        Counts minus(Counts other) {
            return new Counts(statements - other.statements, commits - other.commits, idlePolls - other.idlePolls);
        }

        /** The figures without the idle polls: what the work itself cost. */
        Counts working() {
            return new Counts(statements - idlePolls, commits - idlePolls, 0);
        }
    }

    private final Map<String, AtomicLong> statements = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> commits = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> idlePolls = new ConcurrentHashMap<>();

    public Counts counts(String kind) {
        return new Counts(value(statements, kind), value(commits, kind), value(idlePolls, kind));
    }

    /** The inbox (Kafka listener threads), the queue (poller and workers), or other. */
    static String kind(String threadName) {
        if (threadName.contains("KafkaListenerEndpointContainer") || threadName.contains("-C-")) {
            return "inbox";
        }
        if (threadName.startsWith("webhook-")) {
            return "queue";
        }
        return "other";
    }

    private static long value(Map<String, AtomicLong> counters, String kind) {
        AtomicLong counter = counters.get(kind);
        return counter == null ? 0 : counter.get();
    }

    private void count(Map<String, AtomicLong> counters) {
        counters.computeIfAbsent(kind(Thread.currentThread().getName()), k -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof DataSource dataSource) || bean instanceof DelegatingDataSource) {
            return bean;
        }
        return new DelegatingDataSource(dataSource) {
            @Override
            public Connection getConnection() throws SQLException {
                return counting(super.getConnection());
            }

            @Override
            public Connection getConnection(String username, String password) throws SQLException {
                return counting(super.getConnection(username, password));
            }
        };
    }

    private Connection counting(Connection connection) {
        // A pooled connection serves one thread at a time: the statements of its current transaction.
        var inTransaction = new AtomicLong();
        InvocationHandler handler = (proxy, method, args) -> {
            countCall(method, inTransaction);
            try {
                return method.invoke(connection, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, handler);
    }

    private void countCall(Method method, AtomicLong inTransaction) {
        switch (method.getName()) {
            case "prepareStatement", "createStatement", "prepareCall" -> {
                count(statements);
                inTransaction.incrementAndGet();
            }
            case "commit" -> {
                count(commits);
                if (inTransaction.getAndSet(0) == 1 && Thread.currentThread().getName().equals("webhook-poller")) {
                    count(idlePolls);
                }
            }
            case "rollback", "close" -> inTransaction.set(0);
            default -> {
            }
        }
    }
}
