package ledger.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import ledger.events.LedgerEvent;
import ledger.testsupport.JdbcCounter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What one event costs the dispatcher in PostgreSQL round trips and CPU: a batch of 100 events (50 invoices,
 * each created and paid, half of them out of order) taken from Kafka in one poll and delivered to one
 * endpoint. The figures are printed; only the inbox's statements per event are held to a bound, since the
 * queue's depend on how the attempts fall into the poller's rounds on a busy machine.
 */
class DispatcherCostIT extends WebhookIT {

    private static final int INVOICES = 50;

    @Autowired
    JdbcCounter counter;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    WebhookProperties properties;

    @Test
    void aBatchOfAHundredEventsCostsTheInboxAFewStatementsInAll() throws Exception {
        // The first round warms the JIT up; the second one is the figure.
        round("cold");
        double inboxStatementsPerEvent = round("warm");
        assertThat(inboxStatementsPerEvent).isLessThanOrEqualTo(0.5);
    }

    private double round(String label) throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            List<LedgerEvent> events = createdAndPaid(store, INVOICES, true);
            pauseInbox();
            var inboxBefore = counter.counts("inbox");
            var queueBefore = counter.counts("queue");
            long cpuBefore = dispatcherCpuNanos();
            long startedNanos = System.nanoTime();
            try {
                publish(events.toArray(LedgerEvent[]::new));
            } finally {
                resumeInbox();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> succeeded(store) == events.size());
            long cpu = dispatcherCpuNanos() - cpuBefore;
            long elapsedMillis = (System.nanoTime() - startedNanos) / 1_000_000;
            var inbox = counter.counts("inbox").minus(inboxBefore);
            var queue = counter.counts("queue").minus(queueBefore).working();
            int n = events.size();
            System.out.printf("Dispatcher cost per event over %d events (%s): inbox %.2f statements, %.2f commits; "
                    + "queue %.2f statements, %.2f commits (its idle polls, one every %d ms, left out; run %d ms); "
                    + "dispatcher threads' CPU %.3f ms%n", n, label,
                    (double) inbox.statements() / n, (double) inbox.commits() / n, (double) queue.statements() / n,
                    (double) queue.commits() / n, properties.pollInterval().toMillis(), elapsedMillis, cpu / 1e6 / n);
            assertThat(receiver.requests()).hasSize(n);
            // Kept-alive connections: at most the target's share of the workers, each reused.
            assertThat(receiver.connections()).isLessThanOrEqualTo(2 * properties.perTargetConcurrency());
            return (double) inbox.statements() / n;
        }
    }

    /**
     * The delivery side under a backlog: 1,000 invoices, each created and paid (2,000 webhooks), queued at once
     * for one endpoint. A poller round records and claims for many attempts (a round every attempt or two cost
     * 2.2–2.3 statements and 0.45 commits per delivery; with lanes 0.3–1.2 and 0.07–0.27 here, depending on how
     * the rounds fall, the test context's 100 ms poll interval adding rounds of its own), and the attempts share
     * the target's kept-alive connections.
     */
    @Test
    void twoThousandDeliveriesToOneEndpointCostAboutOneStatementEachOnAFewConnections() throws Exception {
        deliveries("cold", 250);
        double statementsPerDelivery = deliveries("warm", 1_000);
        assertThat(statementsPerDelivery).isLessThanOrEqualTo(1.6);
    }

    /** Returns the queue's statements per delivery. */
    private double deliveries(String label, int invoices) throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            List<LedgerEvent> events = createdAndPaid(store, invoices, false);
            int n = events.size();
            // Queued first, with the worker kept out of it, so only the delivery side is measured.
            pauseInbox();
            try {
                publish(events.toArray(LedgerEvent[]::new));
            } finally {
                resumeInbox();
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> jdbc.queryForObject("""
                    SELECT count(*) FROM webhook.delivery d JOIN webhook.webhook_event e ON e.event_id = d.event_id
                    WHERE e.store_id = ?""", Integer.class, store.id().value()) == n);
            var queueBefore = counter.counts("queue");
            long pollerBefore = threadCpuNanos("webhook-poller");
            long workersBefore = threadCpuNanos("webhook-worker-");
            long startedNanos = System.nanoTime();
            await().atMost(Duration.ofSeconds(300)).until(() -> succeeded(store) == n);
            long poller = threadCpuNanos("webhook-poller") - pollerBefore;
            long workers = threadCpuNanos("webhook-worker-") - workersBefore;
            long elapsedMillis = (System.nanoTime() - startedNanos) / 1_000_000;
            var queue = counter.counts("queue").minus(queueBefore).working();
            System.out.printf("Delivery cost over %d deliveries to one endpoint (%s): queue %.3f statements, "
                    + "%.3f commits per delivery; CPU per delivery %.3f ms (poller %.3f, workers %.3f); "
                    + "%d connections; run %d ms%n", n, label, (double) queue.statements() / n,
                    (double) queue.commits() / n, (poller + workers) / 1e6 / n, poller / 1e6 / n, workers / 1e6 / n,
                    receiver.connections(), elapsedMillis);
            assertThat(receiver.requests()).hasSize(n);
            assertThat(receiver.connections()).isLessThanOrEqualTo(properties.perTargetConcurrency());
            return (double) queue.statements() / n;
        }
    }

    /**
     * One event at a time on an idle dispatcher: the worker is woken by the inbox's commit, so no event waits
     * for a poll. Printed from the delivery's creation (the inbox commit) and from the publish to the arrival.
     */
    @Test
    void anEventOnAnIdleDispatcherIsSentWithoutWaitingForAPoll() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            String endpoint = createEndpoint(store, receiver.url("/hooks"), "[\"*\"]").get("id").asText();
            List<Long> queued = new ArrayList<>();
            List<Long> claimed = new ArrayList<>();
            List<Long> published = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                var invoice = created(store.id(), "10.00", null);
                String id = invoice.eventId().value();
                Instant sent = Instant.now();
                publish(invoice);
                await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requestsFor(id).size() == 1);
                Instant received = receiver.requestsFor(id).get(0).at();
                Instant created = jdbc.queryForObject(
                        "SELECT created_at FROM webhook.delivery WHERE event_id = ? AND endpoint_id = ?",
                        Timestamp.class, id, endpoint).toInstant();
                // The attempt's start: after the inbox commit, the wake-up, the claim and the hand-over to a worker.
                await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                        "SELECT count(*) FROM webhook.delivery_attempt WHERE event_id = ?", Integer.class, id) == 1);
                Instant attempted = jdbc.queryForObject(
                        "SELECT attempted_at FROM webhook.delivery_attempt WHERE event_id = ?", Timestamp.class, id)
                        .toInstant();
                queued.add(Duration.between(created, received).toMillis());
                claimed.add(Duration.between(created, attempted).toMillis());
                published.add(Duration.between(sent, received).toMillis());
            }
            Collections.sort(queued);
            Collections.sort(claimed);
            Collections.sort(published);
            System.out.printf("Idle dispatcher, 20 events one at a time: queued->attempt started p50 %d ms, max %d ms; "
                    + "queued->received p50 %d ms, max %d ms; published->received p50 %d ms, max %d ms "
                    + "(poll interval %d ms)%n", claimed.get(10), claimed.get(19), queued.get(10), queued.get(19),
                    published.get(10), published.get(19), properties.pollInterval().toMillis());
        }
    }

    /** CPU time of the threads whose name starts with {@code prefix}. */
    private static long threadCpuNanos(String prefix) {
        var threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(prefix)) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    /** CPU time of the inbox's, the poller's and the workers' threads (not the test's, nor the receiver's). */
    private static long dispatcherCpuNanos() {
        var threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && !kind(info.getThreadName()).equals("other")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    /** Each invoice's creation and payment, the two in reverse order for every other invoice if {@code shuffled}. */
    private static List<LedgerEvent> createdAndPaid(TestStore store, int invoices, boolean shuffled) {
        List<LedgerEvent> events = new ArrayList<>();
        for (int i = 0; i < invoices; i++) {
            var invoice = created(store.id(), "10.00", null);
            var paid = payment(invoice, 2, "10.00", "10.00");
            events.addAll(shuffled && i % 2 == 1 ? List.of(paid, invoice) : List.of(invoice, paid));
        }
        return events;
    }

    /** The store's deliveries that succeeded. */
    private int succeeded(TestStore store) {
        return jdbc.queryForObject("""
                SELECT count(*) FROM webhook.delivery d JOIN webhook.webhook_event e ON e.event_id = d.event_id
                WHERE e.store_id = ? AND d.state = 'succeeded'""", Integer.class, store.id().value());
    }

    /** The inbox (Kafka listener threads), the queue (poller and workers), or other: the kinds counted apart. */
    static String kind(String threadName) {
        if (threadName.contains("KafkaListenerEndpointContainer") || threadName.contains("-C-")) {
            return "inbox";
        }
        if (threadName.startsWith("webhook-")) {
            return "queue";
        }
        return "other";
    }
}
