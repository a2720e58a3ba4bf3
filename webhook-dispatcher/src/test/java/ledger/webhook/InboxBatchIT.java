package ledger.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import ledger.events.LedgerEvent;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The inbox takes a Kafka poll as one batch: events of one invoice in any order within and across polls are
 * published once each in sequence order, a poll that comes again adds nothing, and an unreadable record
 * costs only itself. (A poll that fails is {@code inbox.InvoiceTimelineIT}'s.)
 */
class InboxBatchIT extends WebhookIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void anInvoicesEventsOutOfOrderWithinAndAcrossPollsArePublishedOnceEachInSequenceOrder() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            var invoice = created(store.id(), "100.00", null);
            var first = payment(invoice, 2, "10.00", "10.00");
            var second = payment(invoice, 3, "20.00", "30.00");
            var paid = payment(invoice, 4, "70.00", "100.00");
            inOnePoll(paid, invoice, second);
            await().atMost(WAIT).until(() -> receiver.requests().size() == 1);
            // The gap is filled by the next poll, which also brings invoice.created again.
            inOnePoll(invoice, first);

            await().atMost(WAIT).until(() -> receiver.requests().size() == 4);
            assertThat(receiver.requests()).extracting(r -> r.header("webhook-id")).containsExactly(
                    invoice.eventId().value(), first.eventId().value(), second.eventId().value(),
                    paid.eventId().value());
            assertThat(receiver.requests()).extracting(r -> JSON.readTree(r.body()).at("/data/invoice/version").asLong())
                    .containsExactly(1L, 2L, 3L, 4L);
            assertThat(rows("webhook_event", store)).isEqualTo(4);
            assertThat(rows("delivery", store)).isEqualTo(4);
            assertThat(jdbc.queryForObject("SELECT version FROM webhook.invoice_state WHERE invoice_id = ?",
                    Long.class, invoice.invoiceId().value())).isEqualTo(4);
        }
    }

    @Test
    void aPollThatComesAgainCreatesNoDelivery() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            var invoice = created(store.id(), "10.00", receiver.url("/callback"));
            var other = created(store.id(), "20.00", null);
            var paid = payment(invoice, 2, "10.00", "10.00");
            inOnePoll(invoice, other, paid);
            await().atMost(WAIT).until(() -> receiver.requests().size() == 5);

            var later = created(store.id(), "30.00", null);
            inOnePoll(invoice, other, paid, invoice, later);
            await().atMost(WAIT).until(() -> receiver.requestsFor(later.eventId().value()).size() == 1);
            assertThat(rows("delivery", store)).isEqualTo(6);
            assertThat(receiver.requests()).hasSize(6);
        }
    }

    @Test
    void anUnreadableRecordInAPollIsSkippedAndTheRestPublished() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            var before = created(store.id(), "10.00", null);
            var after = created(store.id(), "20.00", null);
            pauseInbox();
            try {
                publish(before);
                publishRaw(before.invoiceId().value(), "{\"type\":\"NotAnEvent\"");
                publish(after);
            } finally {
                resumeInbox();
            }
            await().atMost(WAIT).until(() -> receiver.requests().size() == 2);
            assertThat(receiver.requests()).extracting(r -> r.header("webhook-id"))
                    .containsExactlyInAnyOrder(before.eventId().value(), after.eventId().value());
        }
    }

    private void inOnePoll(LedgerEvent... events) throws Exception {
        pauseInbox();
        try {
            publish(events);
        } finally {
            resumeInbox();
        }
    }

    private int rows(String table, TestStore store) {
        String query = table.equals("delivery")
                ? "SELECT count(*) FROM webhook.delivery d JOIN webhook.webhook_event e ON e.event_id = d.event_id"
                        + " WHERE e.store_id = ?"
                : "SELECT count(*) FROM webhook." + table + " WHERE store_id = ?";
        return jdbc.queryForObject(query, Integer.class, store.id().value());
    }

    @Test
    void offsetsAreCommittedOnceASecondAtMostNotAfterEveryPoll() throws Exception {
        var store = newStore();
        int before = OffsetCommits.count();
        long started = System.nanoTime();
        int polls = 30;
        for (int i = 0; i < polls; i++) {
            var invoice = created(store.id(), "1.00", null);
            publish(invoice);
            // Recorded before the next is sent, so each event is a poll of its own.
            await().atMost(WAIT).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM webhook.event_inbox WHERE event_id = ?", Long.class,
                    invoice.eventId().value()) == 1);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        // One commit per poll (the default) would be 30; once a second is one per second and one at the edges.
        assertThat(OffsetCommits.count() - before).isLessThanOrEqualTo((int) Math.ceil(seconds) + 2).isLessThan(polls);
    }
}
