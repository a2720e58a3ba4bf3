package ledger.command.eventstore;

import java.util.List;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Axon's embedded event store, waking its readers (the Kafka relay) only once the events' database
 * transaction has committed. A request under an {@code Idempotency-Key} runs in a transaction that begins
 * before Axon's unit of work and commits after it; Axon wakes the readers when its unit of work commits,
 * so they looked before the events were visible, found nothing and slept the store's fetch delay (1 s)
 * before looking again — every such create reached Kafka, read models and webhooks a second late.
 *
 * <p>It also loads an invoice without first asking the snapshot table: no snapshotter is configured, so
 * the table is always empty, and Axon's lookup of a snapshot was one wasted query per payment or cancel.
 */
final class CommitAwareEventStore extends EmbeddedEventStore {

    CommitAwareEventStore(Builder builder) {
        super(builder);
    }

    @Override
    public DomainEventStream readEvents(String aggregateIdentifier) {
        return DomainEventStream.concat(storageEngine().readEvents(aggregateIdentifier),
                DomainEventStream.of(stagedDomainEventMessages(aggregateIdentifier)));
    }

    @Override
    protected void afterCommit(List<? extends EventMessage<?>> events) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            super.afterCommit(events); // the unit of work's own transaction has committed
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                CommitAwareEventStore.super.afterCommit(events);
            }
        });
    }
}
