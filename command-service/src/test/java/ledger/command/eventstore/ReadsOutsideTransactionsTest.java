package ledger.command.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronizationManager;

class ReadsOutsideTransactionsTest {

    private final List<String> started = new ArrayList<>();
    private final TransactionManager transactions = new ReadsOutsideTransactions(() -> {
        started.add("transaction");
        return new Transaction() {
            @Override
            public void commit() {
                started.add("commit");
            }

            @Override
            public void rollback() {
                started.add("rollback");
            }
        };
    });

    @AfterEach
    void clear() {
        TransactionSynchronizationManager.setActualTransactionActive(false);
    }

    @Test
    void aReadOutsideATransactionRunsWithoutOne() {
        assertThat(transactions.fetchInTransaction(() -> "events")).isEqualTo("events");
        assertThat(started).isEmpty();
    }

    @Test
    void aReadInsideATransactionGoesThroughTheTransactionManager() {
        TransactionSynchronizationManager.setActualTransactionActive(true);
        assertThat(transactions.fetchInTransaction(() -> "events")).isEqualTo("events");
        assertThat(started).containsExactly("transaction", "commit");
    }

    @Test
    void anAppendAlwaysRunsInATransaction() {
        transactions.executeInTransaction(() -> started.add("append"));
        assertThat(started).containsExactly("transaction", "append", "commit");
    }
}
