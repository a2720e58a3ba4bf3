package ledger.command.axon;

import java.util.concurrent.ThreadLocalRandom;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.modelling.command.ConcurrencyException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * How a request sends its command: in the request's own thread and transaction, waiting for the result.
 * A command is never retried anywhere else — a retry on another thread would commit outside the request's
 * transaction, after the request had already answered, and without its {@code Idempotency-Key} record.
 *
 * <p>Within one instance Axon's repository lock serialises commands on an invoice; across instances two
 * appends of the same sequence collide on the event store's unique key and one gets a
 * {@link ConcurrencyException}. Only that command is tried again, here, from a fresh load of the invoice, so
 * it is decided again on the latest state — a payment is recorded, never overwritten. Each attempt runs in a
 * savepoint of the request's transaction (or in a transaction of its own when the request has none), because
 * PostgreSQL refuses every further statement of a transaction whose insert failed. Any other failure — a
 * refusal, or the database going away — ends the request, and the client's retry with its key decides.
 */
@Component
public class Commands {

    static final int ATTEMPTS = 12;
    private static final long MAX_PAUSE_MS = 200;

    private final CommandGateway gateway;
    private final TransactionTemplate attempt;
    private final TransactionTemplate once;

    Commands(CommandGateway gateway, PlatformTransactionManager transactions) {
        this.gateway = gateway;
        this.attempt = new TransactionTemplate(transactions);
        attempt.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.once = new TransactionTemplate(transactions);
    }

    /**
     * A command that creates an aggregate under a new random id (an invoice's has about 143 bits): no other writer
     * can append to it, so it is sent once, joining the request's transaction without {@link #send}'s savepoint.
     * Under an {@code Idempotency-Key} that is two round trips fewer per create ({@code SAVEPOINT}, {@code RELEASE}).
     * A refusal rolls the request's transaction back, and its answer is kept apart, as for any command.
     */
    public <R> R create(Object command) {
        return once.execute(transaction -> gateway.<R>sendAndWait(command));
    }

    public <R> R send(Object command) {
        for (int n = 1; ; n++) {
            try {
                return attempt.execute(savepoint -> gateway.<R>sendAndWait(command));
            } catch (ConcurrencyException conflict) {
                if (n == ATTEMPTS) {
                    throw conflict;
                }
                pause(n);
            }
        }
    }

    /** Exponential with jitter, so two instances that just collided do not collide again in step. */
    private static void pause(int failedAttempts) {
        long ceiling = Math.min(MAX_PAUSE_MS, 5L << Math.min(failedAttempts, 10));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a concurrent modification", e);
        }
    }
}
