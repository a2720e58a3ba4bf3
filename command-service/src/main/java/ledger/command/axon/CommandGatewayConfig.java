package ledger.command.axon;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.commandhandling.gateway.ExponentialBackOffIntervalRetryScheduler;
import ledger.command.invoice.InvoiceRejected;
import org.axonframework.common.AxonNonTransientException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Within one instance Axon's repository lock already serialises commands on an invoice; across
 * instances two appends of the same sequence collide on the event store's unique key and one gets
 * a {@link ConcurrencyException}. That command is retried from a fresh load of the invoice, so it is
 * decided again on the latest state — a payment is recorded, never overwritten. Refusals are not
 * retried (see {@link #isFinal}).
 */
@Configuration
class CommandGatewayConfig {

    @Bean(destroyMethod = "shutdown")
    ScheduledExecutorService commandRetryExecutor() {
        return Executors.newScheduledThreadPool(2, r -> {
            var thread = new Thread(r, "command-retry");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Bean
    CommandGateway commandGateway(CommandBus commandBus, ScheduledExecutorService commandRetryExecutor) {
        var retries = ExponentialBackOffIntervalRetryScheduler.builder()
                .retryExecutor(commandRetryExecutor)
                .backoffFactor(5)
                .maxRetryCount(12)
                .nonTransientFailurePredicate(CommandGatewayConfig::isFinal)
                .build();
        return DefaultCommandGateway.builder().commandBus(commandBus).retryScheduler(retries).build();
    }

    /**
     * Axon asks this of the failure and of each of its causes. Business refusals, invalid input and
     * Axon's own non-transient errors are final; a concurrency conflict (or a passing database error:
     * the unit of work rolled back, so nothing happened) is tried again.
     */
    static boolean isFinal(Throwable failure) {
        return failure instanceof InvoiceRejected || failure instanceof AxonNonTransientException
                || failure instanceof IllegalArgumentException;
    }
}
