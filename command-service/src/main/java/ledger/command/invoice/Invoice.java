package ledger.command.invoice;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import ledger.events.EventId;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.Money;
import ledger.events.StoreId;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * The invoice, event-sourced: command handlers decide and {@code apply} events; event-sourcing
 * handlers only assign state. The aggregate's per-invoice sequence is also each event's
 * {@code sequence}, and the unique (invoice, sequence) row in the event store is what makes two
 * concurrent writers of the same invoice collide instead of overwriting each other.
 */
@Aggregate
public class Invoice {

    @AggregateIdentifier
    private InvoiceId id;
    private StoreId storeId;
    private Money amount;
    private Money paid;
    private InvoiceStatus status;
    private long sequence;

    protected Invoice() {
        // for Axon: rebuilt from events
    }

    /** Returns the event so the caller can answer with the invoice without reading it back. */
    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.ALWAYS)
    InvoiceCreated handle(CreateInvoice command, Clock clock) {
        var zero = Money.zero(command.amount().currency());
        var created = new InvoiceCreated(EventId.generate(), command.invoiceId(), command.storeId(), 1, now(clock),
                command.amount(), command.externalOrderId(), command.description(), command.customerEmail(),
                command.metadata(), command.checkoutUrl(), command.callbackUrl(), command.returnUrl(),
                command.dueDate(), command.expiresAt(), command.livemode(), InvoiceStatus.OPEN, zero,
                command.amount());
        apply(created);
        return created;
    }

    @EventSourcingHandler
    void on(InvoiceCreated e) {
        id = e.invoiceId();
        storeId = e.storeId();
        amount = e.amount();
        paid = e.amountPaid();
        status = e.status();
        sequence = e.sequence();
    }

    /** Event times are kept at microsecond precision, the precision PostgreSQL stores. */
    private static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
