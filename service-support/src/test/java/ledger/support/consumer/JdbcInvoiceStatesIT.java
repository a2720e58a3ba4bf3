package ledger.support.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The invoice locks on a real PostgreSQL, where query-service and webhook-dispatcher share one database in
 * schemas of their own: a consumer waits for its own service's other writer of an invoice, never for the
 * other service's.
 */
class JdbcInvoiceStatesIT {

    static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        var jdbc = new JdbcTemplate(postgres.getPostgresDatabase());
        for (String schema : List.of("query", "webhook")) {
            jdbc.execute("CREATE SCHEMA " + schema);
            jdbc.execute("CREATE TABLE " + schema + ".invoice_state (invoice_id text PRIMARY KEY, store_id text NOT NULL,"
                    + " version bigint NOT NULL, view text NOT NULL)");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @Test
    void anotherServicesWriterOfTheInvoiceDoesNotWait() throws Exception {
        var held = holdLock("query", "inv_shared_1");
        try {
            assertThat(lockAsync("webhook", "inv_shared_1").get(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            held.countDown();
        }
    }

    @Test
    void theSameServicesOtherWriterWaitsUntilTheFirstCommits() throws Exception {
        var held = holdLock("query", "inv_shared_2");
        var second = lockAsync("query", "inv_shared_2");
        try {
            Thread.sleep(500); // waiting is what is checked: nothing to await
            assertThat(second).isNotDone();
        } finally {
            held.countDown();
        }
        assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Locks the invoice in a transaction of the service's schema and keeps it until the latch is counted down. */
    private static CountDownLatch holdLock(String schema, String invoice) throws Exception {
        var release = new CountDownLatch(1);
        var locked = new CountDownLatch(1);
        CompletableFuture.runAsync(() -> inTransaction(schema, states -> {
            states.lock(List.of(invoice));
            locked.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    private static CompletableFuture<Boolean> lockAsync(String schema, String invoice) {
        return CompletableFuture.supplyAsync(() -> {
            inTransaction(schema, states -> states.lock(List.of(invoice)));
            return true;
        });
    }

    private static void inTransaction(String schema, java.util.function.Consumer<JdbcInvoiceStates> work) {
        DataSource dataSource = new DriverManagerDataSource(
                postgres.getJdbcUrl("postgres", "postgres") + "&currentSchema=" + schema);
        new TransactionTemplate(new DataSourceTransactionManager(dataSource)).executeWithoutResult(
                status -> work.accept(JdbcInvoiceStates.own(new JdbcTemplate(dataSource))));
    }
}
