package ledger.command.axon;

import io.micrometer.core.instrument.MeterRegistry;
import ledger.command.invoice.InvoiceRejected;
import org.axonframework.commandhandling.CommandBus;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Configuration;

/**
 * Command rate for operations (§7): {@code ledger_commands_total{command, outcome}} with outcome
 * {@code accepted}, {@code rejected} (a business refusal, with its code) or {@code failed}.
 */
@Configuration
class CommandMetrics {

    @Autowired
    void countCommands(CommandBus commandBus, MeterRegistry metrics) {
        commandBus.registerHandlerInterceptor((unitOfWork, chain) -> {
            String command = unitOfWork.getMessage().getPayloadType().getSimpleName();
            try {
                Object result = chain.proceed();
                metrics.counter("ledger.commands", "command", command, "outcome", "accepted", "code", "").increment();
                return result;
            } catch (InvoiceRejected e) {
                metrics.counter("ledger.commands", "command", command, "outcome", "rejected", "code", e.code())
                        .increment();
                throw e;
            } catch (Exception e) {
                metrics.counter("ledger.commands", "command", command, "outcome", "failed", "code", "").increment();
                throw e;
            }
        });
    }
}
