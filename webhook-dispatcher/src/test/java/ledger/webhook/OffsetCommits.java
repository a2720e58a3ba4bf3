package ledger.webhook;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Counts the context's offset commits on the ledger's topic (set as the consumers' interceptor in {@link WebhookIT}). */
public class OffsetCommits implements ConsumerInterceptor<Object, Object> {

    private static final AtomicInteger COMMITS = new AtomicInteger();

    static int count() {
        return COMMITS.get();
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.keySet().stream().anyMatch(p -> p.topic().equals(WebhookIT.TOPIC))) {
            COMMITS.incrementAndGet();
        }
    }

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        return records;
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
