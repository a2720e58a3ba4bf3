package ledger.support.consumer;

import java.util.Collection;
import org.apache.kafka.common.TopicPartition;

/** What a service does with the ledger's events; {@link LedgerConsumer} does the rest. */
public interface InvoiceEventHandler {

    /** The poll's transaction begins: before the inbox records anything. */
    default void begin() {
    }

    /** In the poll's transaction, once the views moved on: whatever the service keeps or sends. */
    void apply(ConsumedBatch batch);

    /** After the poll's transaction committed: wake-ups and metrics that may only see committed work. */
    default void committed(ConsumedBatch batch) {
    }

    /** Records on {@code partition} not yet consumed by this instance, the poll in hand included. */
    default void behind(TopicPartition partition, long records) {
    }

    /** This instance no longer consumes these partitions. */
    default void released(Collection<TopicPartition> partitions) {
    }
}
