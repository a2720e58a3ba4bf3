package ledger.query;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Counts the SQL statements the projection's Kafka listener threads send and the rows they read back — what
 * a poll costs PostgreSQL, taken at the JDBC connection (the embedded server lacks pg_stat_statements).
 */
public final class SqlCounter implements BeanPostProcessor {

    /** Statements prepared and result rows read, so far. */
    public record Counts(long statements, long rows) {
        public Counts minus(Counts other) {
            return new Counts(statements - other.statements, rows - other.rows);
        }
    }

    private final AtomicLong statements = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();

    public Counts counts() {
        return new Counts(statements.get(), rows.get());
    }

    private static boolean listenerThread() {
        return Thread.currentThread().getName().contains("KafkaListenerEndpointContainer");
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof DataSource dataSource) || bean instanceof DelegatingDataSource) {
            return bean;
        }
        return new DelegatingDataSource(dataSource) {
            @Override
            public Connection getConnection() throws SQLException {
                return proxy(Connection.class, super.getConnection());
            }

            @Override
            public Connection getConnection(String username, String password) throws SQLException {
                return proxy(Connection.class, super.getConnection(username, password));
            }
        };
    }

    /** Wraps a connection, its statements and their result sets; counts only on listener threads. */
    private <T> T proxy(Class<T> type, T target) {
        InvocationHandler handler = (proxy, method, args) -> {
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (!listenerThread()) {
                return result;
            }
            if (result instanceof PreparedStatement ps) {
                statements.incrementAndGet();
                return proxy(PreparedStatement.class, ps);
            }
            if (result instanceof Statement s) {
                statements.incrementAndGet();
                return proxy(Statement.class, s);
            }
            if (result instanceof ResultSet rs) {
                return proxy(ResultSet.class, rs);
            }
            if (type == ResultSet.class && method.getName().equals("next") && Boolean.TRUE.equals(result)) {
                rows.incrementAndGet();
            }
            return result;
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
