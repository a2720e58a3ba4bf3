package ledger.command.axon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import ledger.command.invoice.InvoiceRejected;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.modelling.command.ConcurrencyException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;

class CommandsTest {

    final CommandGateway gateway = mock(CommandGateway.class);
    final CountingTransactions transactions = new CountingTransactions();
    final Commands commands = new Commands(gateway, transactions);

    @Test
    void aConcurrencyConflictIsTriedAgainInTheCallersThreadEachAttemptInItsOwnTransaction() {
        when(gateway.sendAndWait(any())).thenThrow(new ConcurrencyException("first"))
                .thenThrow(new ConcurrencyException("second")).thenReturn("recorded");

        assertThat((String) commands.send("pay")).isEqualTo("recorded");

        verify(gateway, times(3)).sendAndWait("pay");
        assertThat(transactions.rolledBack).isEqualTo(2);
        assertThat(transactions.committed).isEqualTo(1);
    }

    @Test
    void conflictsBeyondTheLastAttemptReachTheCaller() {
        when(gateway.sendAndWait(any())).thenThrow(new ConcurrencyException("always"));

        assertThatThrownBy(() -> commands.send("pay")).isInstanceOf(ConcurrencyException.class);

        verify(gateway, times(Commands.ATTEMPTS)).sendAndWait("pay");
    }

    /** The database going away is the failure the old gateway retried on a thread of its own, after the request. */
    @Test
    void aRefusalOrALostDatabaseIsNeverTriedAgain() {
        when(gateway.sendAndWait("refused")).thenThrow(new InvoiceRejected("invoice_not_payable", "cancelled", null));
        when(gateway.sendAndWait("outage")).thenThrow(new DataAccessResourceFailureException("connection lost"));

        assertThatThrownBy(() -> commands.send("refused")).isInstanceOf(InvoiceRejected.class);
        assertThatThrownBy(() -> commands.send("outage")).isInstanceOf(DataAccessResourceFailureException.class);

        verify(gateway, times(1)).sendAndWait("refused");
        verify(gateway, times(1)).sendAndWait("outage");
        assertThat(transactions.rolledBack).isEqualTo(2);
    }

    /** A create can't meet a concurrent writer of its new id: it is sent once, and a conflict is not tried again. */
    @Test
    void aCreateIsSentOnceInOneTransaction() {
        when(gateway.sendAndWait("create")).thenReturn("created");
        when(gateway.sendAndWait("collide")).thenThrow(new ConcurrencyException("impossible"));

        assertThat((String) commands.create("create")).isEqualTo("created");
        assertThatThrownBy(() -> commands.create("collide")).isInstanceOf(ConcurrencyException.class);

        verify(gateway, times(1)).sendAndWait("create");
        verify(gateway, times(1)).sendAndWait("collide");
        assertThat(transactions.committed).isEqualTo(1);
        assertThat(transactions.rolledBack).isEqualTo(1);
    }

    /** Counts what each attempt's transaction (a savepoint, inside a request's) ended with. */
    static final class CountingTransactions extends AbstractPlatformTransactionManager {
        int committed;
        int rolledBack;

        @Override
        protected Object doGetTransaction() {
            return new Object();
        }

        @Override
        protected void doBegin(Object transaction, TransactionDefinition definition) {
        }

        @Override
        protected void doCommit(DefaultTransactionStatus status) {
            committed++;
        }

        @Override
        protected void doRollback(DefaultTransactionStatus status) {
            rolledBack++;
        }
    }
}
