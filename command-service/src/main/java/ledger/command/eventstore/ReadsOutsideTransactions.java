package ledger.command.eventstore;

import java.util.function.Supplier;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The storage engine's transactions, except that a read made outside any transaction runs as plain autocommit
 * statements instead of in a transaction of its own. Those are the relay's reads: each wake-up reads the new
 * events, then looks once more and finds none (two statements, the second asking how far the next event is), and
 * each read in its own transaction cost a BEGIN and a COMMIT round trip more. Under PostgreSQL's READ COMMITTED
 * every statement sees what was committed when it began, in a transaction or not, so the events read are the
 * same. A read inside a transaction (loading an invoice for a command) and every append (always inside the
 * command's) join that transaction, as before.
 */
final class ReadsOutsideTransactions implements TransactionManager {

    private final TransactionManager transactions;

    ReadsOutsideTransactions(TransactionManager transactions) {
        this.transactions = transactions;
    }

    @Override
    public Transaction startTransaction() {
        return transactions.startTransaction();
    }

    @Override
    public <T> T fetchInTransaction(Supplier<T> supplier) {
        return TransactionSynchronizationManager.isActualTransactionActive()
                ? transactions.fetchInTransaction(supplier) : supplier.get();
    }
}
