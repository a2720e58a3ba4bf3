package ledger.local.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import ledger.events.CreditNoteIssued;
import ledger.events.InvoiceCancelled;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceStatus;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.Money;
import ledger.events.PaymentReceived;
import ledger.events.RefundIssued;
import ledger.events.WebhookTypes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads every copy of the ledger — the event store (the truth), the Kafka topic, query-service's
 * tables and what the webhook receiver got — and lists every way they disagree with each other or with
 * what merchants were told. An empty list is a ledger that lost nothing, invented nothing, counted
 * nothing twice.
 */
public final class LedgerAudit {

    static final String TOPIC = "ledger.invoice-events";
    private static final ObjectMapper JSON = LedgerJson.mapper();
    private static final ObjectReader EVENT = JSON.readerFor(LedgerEvent.class);
    /** Expiry is promised "within seconds of the deadline" (§4.2); this is the slack the audit grants. */
    static final Duration EXPIRY_SLACK = Duration.ofSeconds(20);

    private final String jdbcUrl;
    private final String jdbcUser;
    private final String jdbcPassword;
    private final String kafkaBootstrap;

    public LedgerAudit(String jdbcUrl, String jdbcUser, String jdbcPassword, String kafkaBootstrap) {
        this.jdbcUrl = jdbcUrl;
        this.jdbcUser = jdbcUser;
        this.jdbcPassword = jdbcPassword;
        this.kafkaBootstrap = kafkaBootstrap;
    }

    /** The event store in commit order. */
    public List<LedgerEvent> eventStore() throws SQLException, IOException {
        List<LedgerEvent> events = new ArrayList<>();
        try (Connection db = connect(); Statement statement = db.createStatement();
             ResultSet rows = statement.executeQuery("SELECT payload FROM command.domain_event_entry ORDER BY global_index")) {
            while (rows.next()) {
                events.add(EVENT.readValue(rows.getBytes(1)));
            }
        }
        return events;
    }

    /** Events of which the dispatcher recorded an attempt that got no answer (it timed out or lost the connection). */
    public Set<String> unansweredAttempts() throws SQLException {
        Set<String> events = new HashSet<>();
        try (Connection db = connect(); Statement statement = db.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT DISTINCT event_id FROM webhook.delivery_attempt WHERE status_code IS NULL")) {
            while (rows.next()) {
                events.add(rows.getString(1));
            }
        }
        return events;
    }

    long eventStoreCount() throws SQLException {
        try (Connection db = connect(); Statement statement = db.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM command.domain_event_entry")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /**
     * Everything that can be checked while the system settles: the store is consistent in itself, query
     * has every event and the invoice views a fold of the store gives, the topic holds exactly the store's
     * events, the receiver got every event, and no expiry is overdue or about to fire.
     */
    public List<String> settled(WebhookReceiver receiver) throws SQLException, IOException {
        List<LedgerEvent> store = eventStore();
        List<String> problems = new ArrayList<>(storeConsistency(store));
        Map<String, List<LedgerEvent>> histories = histories(store);

        Set<String> queryEvents = new HashSet<>();
        Map<String, JsonNode> queryViews = new HashMap<>();
        try (Connection db = connect(); Statement statement = db.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT event_id FROM query.ledger_event")) {
                while (rows.next()) {
                    queryEvents.add(rows.getString(1));
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT id, view FROM query.invoice")) {
                while (rows.next()) {
                    queryViews.put(rows.getString(1), JSON.readTree(rows.getString(2)));
                }
            }
        }
        Set<String> storeIds = store.stream().map(e -> e.eventId().value()).collect(Collectors.toSet());
        missing("query.ledger_event lacks event", storeIds, queryEvents, problems);
        missing("query.ledger_event has an event the store does not have:", queryEvents, storeIds, problems);

        for (Map.Entry<String, List<LedgerEvent>> entry : histories.entrySet()) {
            // Through text, as query-service stored it: valueToTree would give a LongNode where
            // parsed text gives an IntNode, and those are not equal.
            JsonNode expected = JSON.readTree(JSON.writeValueAsString(InvoiceView.replay(entry.getValue())));
            JsonNode actual = queryViews.get(entry.getKey());
            if (actual == null) {
                problems.add("query.invoice lacks invoice " + entry.getKey());
            } else if (!actual.equals(expected)) {
                problems.add("query.invoice " + entry.getKey() + " differs from the fold of its events:\n  query: "
                        + actual + "\n  fold:  " + expected);
            }
        }
        missing("query.invoice has an invoice the store does not have:", queryViews.keySet(), histories.keySet(), problems);

        Set<String> received = storeIds.stream().filter(receiver::received).collect(Collectors.toSet());
        missing("the webhook receiver never acknowledged event", storeIds, received, problems);
        for (LedgerEvent event : store) {
            String type = receiver.typeOf(event.eventId().value());
            if (type != null && !type.equals(WebhookTypes.of(event))) {
                problems.add("webhook " + event.eventId().value() + " (" + event.type() + ") arrived as " + type
                        + ", not " + WebhookTypes.of(event));
            }
        }

        // An expiry firing between this snapshot and a later read of the topic would look like an
        // event the store lacks, so the ledger is settled only once the load's short expiries fired.
        Instant now = Instant.now();
        for (List<LedgerEvent> history : histories.values()) {
            InvoiceCreated created = (InvoiceCreated) history.get(0);
            LedgerEvent last = history.get(history.size() - 1);
            if (!last.status().isPayable()) {
                continue;
            }
            if (created.expiresAt().isBefore(now.minus(EXPIRY_SLACK))) {
                problems.add("invoice " + created.invoiceId().value() + " is still " + last.status().wireName()
                        + " although it expired at " + created.expiresAt());
            } else if (created.expiresAt().isBefore(now.plus(EXPIRY_SLACK))) {
                problems.add("invoice " + created.invoiceId().value() + " is about to expire (" + created.expiresAt() + ")");
            }
        }
        problems.addAll(topicAgreesWith(store));
        return problems;
    }

    /**
     * Sequences gap-free from 1, created first, nothing but refunds after a final status, totals that add up:
     * paid, credited and refunded are the sums of their events, refunds never exceed what was paid nor change
     * the status, and what is due is max(amount − credited − paid, 0).
     */
    static List<String> storeConsistency(List<LedgerEvent> store) {
        List<String> problems = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (LedgerEvent event : store) {
            if (!ids.add(event.eventId().value())) {
                problems.add("event id twice in the store: " + event.eventId().value());
            }
        }
        for (Map.Entry<String, List<LedgerEvent>> entry : histories(store).entrySet()) {
            List<LedgerEvent> history = entry.getValue();
            if (!(history.get(0) instanceof InvoiceCreated created)) {
                problems.add("invoice " + entry.getKey() + " does not start with InvoiceCreated");
                continue;
            }
            BigDecimal amount = created.amount().amount();
            BigDecimal paid = BigDecimal.ZERO;
            BigDecimal credited = BigDecimal.ZERO;
            BigDecimal refunded = BigDecimal.ZERO;
            InvoiceStatus status = null;
            for (int i = 0; i < history.size(); i++) {
                LedgerEvent event = history.get(i);
                if (event.sequence() != i + 1) {
                    problems.add("invoice " + entry.getKey() + ": event " + (i + 1) + " has sequence " + event.sequence());
                }
                // Money received is given back whatever the status, a paid or expired invoice's too.
                if (status != null && status.isFinal() && !(event instanceof RefundIssued)) {
                    problems.add("invoice " + entry.getKey() + ": " + event.type() + " after final status " + status.wireName());
                }
                if (event instanceof PaymentReceived payment) {
                    paid = paid.add(payment.amount().amount());
                } else if (event instanceof CreditNoteIssued note) {
                    credited = credited.add(note.amount().amount());
                    sumsTo(entry.getKey(), event, "amount_credited", note.amountCredited(), credited, "credit notes", problems);
                } else if (event instanceof RefundIssued refund) {
                    refunded = refunded.add(refund.amount().amount());
                    sumsTo(entry.getKey(), event, "amount_refunded", refund.amountRefunded(), refunded, "refunds", problems);
                    if (refunded.compareTo(paid) > 0) {
                        problems.add("invoice " + entry.getKey() + ": refunded " + refunded.toPlainString()
                                + " after event " + event.sequence() + " of " + paid.toPlainString() + " paid");
                    }
                    if (event.status() != status) {
                        problems.add("invoice " + entry.getKey() + ": refund " + event.sequence() + " changed the status from "
                                + status.wireName() + " to " + event.status().wireName());
                    }
                }
                sumsTo(entry.getKey(), event, "amount_paid", event.amountPaid(), paid, "payments", problems);
                BigDecimal due = amount.subtract(credited).subtract(paid).max(BigDecimal.ZERO);
                if (event.amountDue().amount().compareTo(due) != 0) {
                    problems.add("invoice " + entry.getKey() + ": amount_due " + event.amountDue().toPlainString()
                            + " after event " + event.sequence() + ", expected " + due.toPlainString());
                }
                status = event.status();
            }
        }
        return problems;
    }

    /** A total an event states must be the sum of the invoice's events it counts, up to that one. */
    private static void sumsTo(String invoice, LedgerEvent event, String field, Money stated, BigDecimal sum,
                               String summed, List<String> problems) {
        if (stated.amount().compareTo(sum) != 0) {
            problems.add("invoice " + invoice + ": " + field + " " + stated.toPlainString() + " after event "
                    + event.sequence() + " but its " + summed + " sum to " + sum.toPlainString());
        }
    }

    /** Invoice rows of one table missing from the other, both ways, compared on every column. */
    List<String> tablesDiffer(String a, String b) throws SQLException {
        // json has no equality operator; its text is compared, as both tables get it from the same writer.
        String columns = "id, store_id, status, currency, amount, amount_paid, amount_due, external_order_id, "
                + "created_at, updated_at, version, view::text";
        List<String> problems = new ArrayList<>();
        try (Connection db = connect(); Statement statement = db.createStatement()) {
            for (String[] pair : new String[][] {{a, b}, {b, a}}) {
                try (ResultSet rows = statement.executeQuery("SELECT id FROM (SELECT " + columns + " FROM " + pair[0]
                        + " EXCEPT SELECT " + columns + " FROM " + pair[1] + ") d ORDER BY id")) {
                    while (rows.next()) {
                        problems.add("invoice " + rows.getString(1) + " in " + pair[0] + " differs from " + pair[1]);
                    }
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + a)) {
                rows.next();
                if (rows.getLong(1) == 0) {
                    problems.add(a + " is empty: nothing was compared");
                }
            }
        }
        return problems;
    }

    /** Every event id of the store must be on the topic, and the topic must hold nothing else. */
    List<String> topicAgreesWith(List<LedgerEvent> store) {
        Map<String, String> topic = readTopic();
        List<String> problems = new ArrayList<>();
        Set<String> storeIds = store.stream().map(e -> e.eventId().value()).collect(Collectors.toSet());
        missing("the topic lacks event", storeIds, topic.keySet(), problems);
        missing("the topic has an event the store does not have:", topic.keySet(), storeIds, problems);
        topic.forEach((headerId, bodyId) -> {
            if (!headerId.equals(bodyId)) {
                problems.add("record header event_id " + headerId + " but payload event_id " + bodyId);
            }
        });
        return problems;
    }

    /** Each acknowledged request's effect is in the store once; no retry with the same key doubled it. */
    public static List<String> acknowledgedEffects(List<LedgerEvent> store, MerchantLoad load) {
        List<String> problems = new ArrayList<>();
        Map<String, List<LedgerEvent>> histories = histories(store);
        Map<String, List<InvoiceCreated>> createdByKey = new HashMap<>();
        // Credit notes carry the load's key in their memo: they have no reference the ledger dedupes by.
        Map<String, List<CreditNoteIssued>> creditedByKey = new HashMap<>();
        Map<String, Integer> references = new HashMap<>();
        Map<String, PaymentReceived> paymentsById = new HashMap<>();
        Map<String, RefundIssued> refundsById = new HashMap<>();
        Map<String, CreditNoteIssued> creditNotesById = new HashMap<>();
        for (LedgerEvent event : store) {
            if (event instanceof InvoiceCreated created) {
                String key = created.metadata().get(MerchantLoad.LOAD_KEY);
                if (key != null) {
                    createdByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(created);
                }
            } else if (event instanceof PaymentReceived payment) {
                references.merge("payment reference " + payment.invoiceId().value() + "/" + payment.reference(), 1,
                        Integer::sum);
                paymentsById.put(payment.paymentId().value(), payment);
            } else if (event instanceof RefundIssued refund) {
                references.merge("refund reference " + refund.invoiceId().value() + "/" + refund.reference(), 1,
                        Integer::sum);
                refundsById.put(refund.refundId().value(), refund);
            } else if (event instanceof CreditNoteIssued note) {
                if (note.memo() != null) {
                    creditedByKey.computeIfAbsent(note.memo(), k -> new ArrayList<>()).add(note);
                }
                creditNotesById.put(note.creditNoteId().value(), note);
            }
        }
        doubled(createdByKey, problems);
        doubled(creditedByKey, problems);
        references.forEach((reference, n) -> {
            if (n > 1) {
                problems.add(reference + " recorded " + n + " times");
            }
        });
        for (MerchantLoad.Create create : load.creates) {
            List<InvoiceCreated> created = createdByKey.getOrDefault(create.key(), List.of());
            if (created.size() != 1 || !created.get(0).invoiceId().value().equals(create.invoiceId())) {
                problems.add("acknowledged create " + create + " is in the store as " + created);
            } else if (created.get(0).amount().amount().compareTo(new BigDecimal(create.amount())) != 0) {
                problems.add("acknowledged create " + create + " has amount " + created.get(0).amount().toPlainString());
            }
        }
        for (MerchantLoad.Payment payment : load.payments) {
            PaymentReceived stored = paymentsById.get(payment.paymentId());
            if (stored == null || !stored.invoiceId().value().equals(payment.invoiceId())
                    || !stored.reference().equals(payment.reference())
                    || stored.amount().amount().compareTo(new BigDecimal(payment.amount())) != 0) {
                problems.add("acknowledged payment " + payment + " is in the store as " + stored);
            }
        }
        for (MerchantLoad.Cancel cancel : load.cancels) {
            boolean cancelled = histories.getOrDefault(cancel.invoiceId(), List.of()).stream()
                    .anyMatch(e -> e instanceof InvoiceCancelled);
            if (!cancelled) {
                problems.add("acknowledged cancel " + cancel + " has no InvoiceCancelled in the store");
            }
        }
        for (MerchantLoad.Refund refund : load.refunds) {
            RefundIssued stored = refundsById.get(refund.refundId());
            if (stored == null || !stored.invoiceId().value().equals(refund.invoiceId())
                    || !stored.reference().equals(refund.reference())
                    || stored.amount().amount().compareTo(new BigDecimal(refund.amount())) != 0) {
                problems.add("acknowledged refund " + refund + " is in the store as " + stored);
            }
        }
        for (MerchantLoad.CreditNote note : load.creditNotes) {
            CreditNoteIssued stored = creditNotesById.get(note.creditNoteId());
            if (stored == null || !stored.invoiceId().value().equals(note.invoiceId())
                    || !note.key().equals(stored.memo())
                    || stored.amount().amount().compareTo(new BigDecimal(note.amount())) != 0) {
                problems.add("acknowledged credit note " + note + " is in the store as " + stored);
            }
        }
        return problems;
    }

    /** Idempotency-Keys whose request took effect more than once. */
    private static void doubled(Map<String, ? extends List<? extends LedgerEvent>> byKey, List<String> problems) {
        byKey.forEach((key, events) -> {
            if (events.size() > 1) {
                problems.add("Idempotency-Key " + key + " took effect " + events.size() + " times: "
                        + events.stream().map(e -> e.type() + " of " + e.invoiceId().value()).toList());
            }
        });
    }

    /**
     * Whether each abandoned request took effect after all: the merchant never learned it, and a
     * retry after the key was released would run it a second time.
     */
    public static List<String> abandonedOutcomes(List<LedgerEvent> store, MerchantLoad load) {
        List<String> outcomes = new ArrayList<>();
        for (MerchantLoad.Abandoned a : load.abandoned) {
            boolean done;
            if (a.path().equals("/v1/invoices")) {
                done = store.stream().anyMatch(e -> e instanceof InvoiceCreated c
                        && a.key().equals(c.metadata().get(MerchantLoad.LOAD_KEY)));
            } else if (a.path().endsWith("/payments")) {
                done = store.stream().anyMatch(e -> e instanceof PaymentReceived p && p.reference().equals("bank-" + a.key()));
            } else if (a.path().endsWith("/refunds")) {
                done = store.stream().anyMatch(e -> e instanceof RefundIssued r && r.reference().equals("refund-" + a.key()));
            } else if (a.path().endsWith("/credit_notes")) {
                done = store.stream().anyMatch(e -> e instanceof CreditNoteIssued n && a.key().equals(n.memo()));
            } else {
                String invoice = a.path().split("/")[3];
                done = store.stream().anyMatch(e -> e instanceof InvoiceCancelled c && c.invoiceId().value().equals(invoice));
            }
            outcomes.add(a + (done ? " — took effect in the store" : " — not in the store"));
        }
        return outcomes;
    }

    public static Map<String, List<LedgerEvent>> histories(List<LedgerEvent> store) {
        Map<String, List<LedgerEvent>> histories = new LinkedHashMap<>();
        for (LedgerEvent event : store) {
            histories.computeIfAbsent(event.invoiceId().value(), k -> new ArrayList<>()).add(event);
        }
        histories.values().forEach(h -> h.sort((a, b) -> Long.compare(a.sequence(), b.sequence())));
        return histories;
    }

    /** event_id header → payload event_id, for every record from the beginning of every partition. */
    Map<String, String> readTopic() {
        Map<String, String> events = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "crash-audit-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Instant deadline = Instant.now().plusSeconds(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("could not read " + TOPIC + " to its end within 60 s");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    Header header = record.headers().lastHeader("event_id");
                    String headerId = header == null ? "(no event_id header)" : new String(header.value(), StandardCharsets.UTF_8);
                    try {
                        events.put(headerId, JSON.readTree(record.value()).path("event_id").asText());
                    } catch (IOException e) {
                        events.put(headerId, "(not JSON)");
                    }
                }
            }
        }
        return events;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, jdbcUser, jdbcPassword);
    }

    private static void missing(String what, Set<String> expected, Set<String> actual, List<String> problems) {
        List<String> absent = expected.stream().filter(id -> !actual.contains(id)).sorted().toList();
        if (!absent.isEmpty()) {
            problems.add(what + (absent.size() == 1 ? " " : "s (" + absent.size() + ") ")
                    + absent.subList(0, Math.min(10, absent.size())) + (absent.size() > 10 ? "…" : ""));
        }
    }

    /** The lines every load suite's summary shares: what merchants got back, what was stored and delivered. */
    public static String outcome(MerchantLoad load, List<LedgerEvent> store, WebhookReceiver receiver) {
        return "answers: " + load.answerCounts() + '\n'
                + String.format(Locale.ROOT, "acknowledged: %d creates, %d payments, %d cancels, %d refunds, "
                                + "%d credit notes%n", load.creates.size(), load.payments.size(), load.cancels.size(),
                        load.refunds.size(), load.creditNotes.size())
                + "events in the store: " + store.size() + ' ' + countBy(store, LedgerEvent::type) + '\n'
                + String.format(Locale.ROOT,
                        "webhooks: %d deliveries, %d distinct events acknowledged, %d duplicates, %d failed on purpose%n",
                        receiver.deliveries.get(), receiver.distinctEvents(), receiver.duplicates(),
                        receiver.failedOnPurpose.get());
    }

    public static <T> Map<String, Long> countBy(List<T> items, Function<T, String> key) {
        return items.stream().collect(Collectors.groupingBy(key, java.util.TreeMap::new, Collectors.counting()));
    }
}
