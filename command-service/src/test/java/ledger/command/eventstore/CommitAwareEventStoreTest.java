package ledger.command.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.junit.jupiter.api.Test;

class CommitAwareEventStoreTest {

    @Test
    void loadsAnInvoiceFromItsEventsWithoutLookingForASnapshot() {
        var engine = mock(EventStorageEngine.class);
        var event = new GenericDomainEventMessage<>("Invoice", "inv_1", 0, "created");
        when(engine.readEvents("inv_1")).thenReturn(DomainEventStream.of(event));
        var store = new CommitAwareEventStore(EmbeddedEventStore.builder().storageEngine(engine));
        try {
            assertThat(store.readEvents("inv_1").asStream().map(m -> (Object) m.getPayload())).containsExactly("created");
            verify(engine, never()).readSnapshot(anyString());
        } finally {
            store.shutDown();
        }
    }
}
