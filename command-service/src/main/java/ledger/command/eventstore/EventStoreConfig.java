package ledger.command.eventstore;

import javax.sql.DataSource;
import ledger.events.InvoiceCreated;
import ledger.events.LedgerJson;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.EventBusSpanFactory;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jpa.SQLStateResolver;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;

/** Axon's JDBC event store on the Flyway-owned tables of {@code V1__event_store.sql}. */
@org.springframework.context.annotation.Configuration
class EventStoreConfig {

    /**
     * Axon's own event store bean, but waking the relay after the commit ({@link CommitAwareEventStore}).
     * Declaring it turns off Axon's JDBC storage engine bean, so {@link #eventStorageEngine} restates it.
     */
    @Bean
    EmbeddedEventStore eventStore(EventStorageEngine storageEngine, Configuration configuration) {
        return new CommitAwareEventStore(EmbeddedEventStore.builder().storageEngine(storageEngine)
                .messageMonitor(configuration.messageMonitor(EventStore.class, "eventStore"))
                .spanFactory(configuration.getComponent(EventBusSpanFactory.class)));
    }

    /**
     * Connections are Spring's: inside a transaction, the one bound to it. Axon's default wraps this in a
     * provider that also rolls the connection itself back when a unit of work fails — which, inside a
     * request's transaction, would end that whole transaction (its Idempotency-Key lock with it) at a mere
     * refusal, where only the command's savepoint should be undone ({@code Commands}). Spring's transaction
     * manager, which Axon's units of work join, already commits and rolls back.
     */
    @Bean
    ConnectionProvider connectionProvider(DataSource dataSource) {
        return new SpringDataSourceConnectionProvider(dataSource);
    }

    /** Axon's default: an invoice's events are read this many at a time. */
    private static final int BATCH_SIZE = 100;

    /**
     * Axon's JDBC storage engine as its JdbcAutoConfiguration builds it, except that loading an invoice stops
     * at the first batch shorter than a full one: an invoice's sequence numbers have no gaps (each event is
     * the previous one's plus one, unique per invoice), so nothing can follow. Axon asks again until a batch
     * comes back empty — one more query on every load of an invoice for a payment or cancel. The relay's reads
     * end the same way ({@link RelayReads}), and run as plain statements ({@link ReadsOutsideTransactions}).
     */
    @Bean
    EventStorageEngine eventStorageEngine(Serializer defaultSerializer, PersistenceExceptionResolver resolver,
                                          @Qualifier("eventSerializer") Serializer eventSerializer,
                                          Configuration configuration, ConnectionProvider connections,
                                          TransactionManager transactions, EventSchema schema) {
        return new RelayReads(JdbcEventStorageEngine.builder().snapshotSerializer(defaultSerializer)
                .upcasterChain(configuration.upcasterChain()).persistenceExceptionResolver(resolver)
                .eventSerializer(eventSerializer).snapshotFilter(configuration.snapshotFilter())
                .connectionProvider(connections).transactionManager(new ReadsOutsideTransactions(transactions))
                .schema(schema)
                .batchSize(BATCH_SIZE).finalAggregateBatchPredicate(batch -> batch.size() < BATCH_SIZE));
    }

    @Bean
    EventSchema eventSchema() {
        return EventSchema.builder()
                .eventTable("domain_event_entry")
                .snapshotTable("snapshot_event_entry")
                .globalIndexColumn("global_index")
                .aggregateIdentifierColumn("aggregate_identifier")
                .sequenceNumberColumn("sequence_number")
                .typeColumn("type")
                .eventIdentifierColumn("event_identifier")
                .metaDataColumn("meta_data")
                .payloadColumn("payload")
                .payloadRevisionColumn("payload_revision")
                .payloadTypeColumn("payload_type")
                .timestampColumn("time_stamp")
                .build();
    }

    @Bean
    TokenSchema tokenSchema() {
        return TokenSchema.builder()
                .setTokenTable("token_entry")
                .setProcessorNameColumn("processor_name")
                .setSegmentColumn("segment")
                .setTokenColumn("token")
                .setTokenTypeColumn("token_type")
                .setTimestampColumn("timestamp")
                .setOwnerColumn("owner")
                .build();
    }

    /**
     * PostgreSQL reports a duplicate (invoice, sequence) as SQLState 23505, which Axon's default
     * resolver does not know: without this, a concurrent second writer would get a non-retryable
     * storage error instead of a concurrency conflict.
     */
    @Bean
    PersistenceExceptionResolver persistenceExceptionResolver() {
        return new SQLStateResolver("23505");
    }

    /**
     * Event payloads are stored in exactly their Kafka wire format (the golden JSON of shared-events). The payload
     * revision is the event's schema revision from its second on (revision 1 was stored without one).
     */
    @Bean
    @Qualifier("eventSerializer")
    Serializer eventSerializer() {
        return JacksonSerializer.builder().objectMapper(LedgerJson.mapper())
                .revisionResolver(type -> type == InvoiceCreated.class
                        ? Integer.toString(InvoiceCreated.REVISION) : null)
                .build();
    }

    /** Axon's configuration picks up every upcaster bean into the chain {@link #eventStorageEngine} reads with. */
    @Bean
    InvoiceCreatedUpcaster invoiceCreatedUpcaster() {
        return new InvoiceCreatedUpcaster();
    }
}
