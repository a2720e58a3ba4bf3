package ledger.support.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.support.consumer.ConsumedBatch.Applied;
import ledger.support.consumer.ConsumedBatch.InvoiceState;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Takes the ledger's events from Kafka a poll at a time and consumes each poll in one transaction of a fixed
 * number of statements however many events and invoices it holds: the service's inbox records the new
 * events, the touched invoices are locked and their stored views loaded with the events still waiting for a
 * predecessor, each view is moved on by the events that follow it without a gap ({@link InvoiceView#advance}),
 * the service applies the result, and the views are stored. Nothing here reads an invoice's whole history,
 * except once for an invoice that has recorded events but no stored view yet (a service that just started
 * keeping views), which is how it gets one.
 *
 * <p>Offsets are committed only after that transaction, so a crash replays events (harmless: the inbox
 * knows them) rather than skipping them; a failing poll is retried whole by the shared error handler.
 */
public class LedgerConsumer implements ConsumerSeekAware {

    /** The Kafka header with the event store's global position of the event. */
    public static final String GLOBAL_POSITION = "global_position";

    private static final Logger log = LoggerFactory.getLogger(LedgerConsumer.class);
    /** Also the inboxes' reader of recorded events ({@link LedgerInbox#recordedAfter}). */
    static final ObjectReader READER = LedgerJson.mapper().readerFor(LedgerEvent.class);
    private static final ObjectWriter WRITER = LedgerJson.mapper().writerFor(LedgerEvent.class);

    private final LedgerInbox inbox;
    private final InvoiceEventHandler handler;
    private final InvoiceStates states;
    private final TransactionOperations transactions;

    LedgerConsumer(LedgerInbox inbox, InvoiceEventHandler handler, InvoiceStates states,
                   TransactionOperations transactions) {
        this.inbox = inbox;
        this.handler = handler;
        this.states = states;
        this.transactions = transactions;
    }

    @KafkaListener(topics = "${ledger.topics.invoice-events:ledger.invoice-events}", batch = "true",
            concurrency = "${ledger.consumer.concurrency:1}")
    void on(List<ConsumerRecord<String, String>> records, Consumer<?, ?> consumer) {
        var received = new ArrayList<Received>(records.size());
        Map<TopicPartition, Integer> inHand = new HashMap<>();
        for (var record : records) {
            inHand.merge(new TopicPartition(record.topic(), record.partition()), 1, Integer::sum);
            try {
                received.add(read(record));
            } catch (JsonProcessingException | RuntimeException e) {
                // Same policy as the shared error handler: a record that can never be parsed is skipped, loudly.
                log.error("Skipping unreadable record {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
            }
        }
        reportBacklog(consumer, inHand);
        consume(received);
        reportBacklog(consumer, Map.of());
    }

    /** Consumes one poll's events in one transaction, then tells the handler it committed. */
    public ConsumedBatch consume(List<Received> received) {
        if (received.isEmpty()) {
            return new ConsumedBatch(0, List.of(), List.of(), List.of());
        }
        ConsumedBatch batch = transactions.execute(status -> inTransaction(received));
        handler.committed(batch);
        return batch;
    }

    private ConsumedBatch inTransaction(List<Received> received) {
        handler.begin();
        Map<String, Received> unique = new LinkedHashMap<>();
        received.forEach(r -> unique.putIfAbsent(r.event().eventId().value(), r));
        Set<String> recordedNow = inbox.record(List.copyOf(unique.values()));
        var recorded = new ArrayList<Received>(recordedNow.size());
        Map<String, List<LedgerEvent>> fresh = new TreeMap<>();
        for (Received r : unique.values()) {
            if (recordedNow.contains(r.event().eventId().value())) {
                recorded.add(r);
                fresh.computeIfAbsent(r.event().invoiceId().value(), id -> new ArrayList<>()).add(r.event());
            }
        }
        if (recorded.isEmpty()) {
            return new ConsumedBatch(received.size(), List.of(), List.of(), List.of());
        }
        List<String> invoices = List.copyOf(fresh.keySet());
        Map<String, InvoiceState> stored = states.lock(invoices);
        Map<String, Long> versions = new HashMap<>();
        invoices.forEach(id -> versions.put(id, stored.containsKey(id) ? stored.get(id).view().version() : 0L));
        // Per invoice and sequence the first event recorded wins, should a producer ever send a sequence twice.
        Map<String, TreeMap<Long, LedgerEvent>> due = new HashMap<>();
        for (LedgerEvent e : inbox.recordedAfter(versions, recordedNow)) {
            due.computeIfAbsent(e.invoiceId().value(), id -> new TreeMap<>()).putIfAbsent(e.sequence(), e);
        }
        fresh.forEach((id, events) -> events.forEach(e ->
                due.computeIfAbsent(id, k -> new TreeMap<>()).putIfAbsent(e.sequence(), e)));

        var applied = new ArrayList<Applied>();
        var changed = new ArrayList<InvoiceState>();
        for (String id : invoices) {
            InvoiceState before = stored.get(id);
            InvoiceView view = before == null ? null : before.view();
            TreeMap<Long, LedgerEvent> candidates = due.get(id);
            InvoiceView after = InvoiceView.advance(view, candidates.values(), (e, v) -> applied.add(new Applied(e, v)));
            if (after != view) {
                changed.add(InvoiceState.of(before == null ? fresh.get(id).get(0).storeId().value() : before.storeId(),
                        after));
            }
            reportWaiting(id, after, candidates);
        }
        var batch = new ConsumedBatch(received.size(), recorded, applied, changed);
        handler.apply(batch);
        states.save(changed);
        return batch;
    }

    private static void reportWaiting(String invoice, InvoiceView view, TreeMap<Long, LedgerEvent> candidates) {
        long next = view == null ? 1 : view.version() + 1;
        LedgerEvent first = candidates.get(1L);
        if (view == null && first != null) {
            log.error("Invoice {} starts with {} instead of InvoiceCreated; its events wait", invoice, first.type());
        } else if (candidates.lastKey() > next) {
            log.info("Events of invoice {} wait for sequence {}", invoice, next);
        }
    }

    /** Parses a record; secret-looking metadata is dropped here, before any service can keep it. */
    private static Received read(ConsumerRecord<String, String> record) throws JsonProcessingException {
        LedgerEvent event = READER.readValue(record.value());
        String json = record.value();
        if (event instanceof InvoiceCreated created) {
            var visible = created.withVisibleMetadataOnly();
            if (!visible.metadata().equals(created.metadata())) {
                event = visible;
                json = WRITER.writeValueAsString(visible);
            }
        }
        return new Received(event, json, globalPosition(record));
    }

    /** The event store's position from the header; absent or malformed (older producers) → null. */
    static Long globalPosition(ConsumerRecord<?, ?> record) {
        Header header = record.headers().lastHeader(GLOBAL_POSITION);
        if (header == null || header.value() == null) {
            return null;
        }
        try {
            return Long.parseLong(new String(header.value(), StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void reportBacklog(Consumer<?, ?> consumer, Map<TopicPartition, Integer> inHand) {
        for (TopicPartition partition : consumer.assignment()) {
            long lag = consumer.currentLag(partition).orElse(0);
            handler.behind(partition, lag + inHand.getOrDefault(partition, 0));
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        handler.released(partitions);
    }
}
