package ledger.webhook.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.support.consumer.LedgerConsumer;
import ledger.support.consumer.Received;
import ledger.webhook.Receiver;
import ledger.webhook.WebhookIT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A poll is one transaction: when the database refuses any of its events, nothing of it is kept, and the
 * poll retried (what the shared Kafka error handler does) records every event once. The batch is handed to
 * the shared consumer directly, since which records Kafka puts in one poll can't be forced from outside.
 */
class InvoiceTimelineIT extends WebhookIT {

    @Autowired
    LedgerConsumer consumer;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aBatchTheDatabaseRefusesKeepsNothingAndItsRetryRecordsEveryEventOnce() throws Exception {
        var store = newStore();
        try (var receiver = Receiver.start()) {
            createEndpoint(store, receiver.url("/hooks"), "[\"*\"]");
            var created = created(store.id(), "100.00", null);
            var refused = payment(created, 2, "20.00", "20.00");
            var paid = payment(created, 3, "80.00", "100.00");
            var other = created(store.id(), "5.00", null);
            List<Received> batch = received(paid, created, refused, other);
            jdbc.execute("""
                    CREATE FUNCTION webhook.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.event_id = '%s' THEN
                            RAISE EXCEPTION 'refused for the test';
                        END IF;
                        RETURN NEW;
                    END $$""".formatted(refused.eventId().value()));
            // On the webhooks, after the inbox rows, the locks and the states: late in the transaction.
            jdbc.execute("CREATE TRIGGER refuse BEFORE INSERT ON webhook.webhook_event FOR EACH ROW "
                    + "EXECUTE FUNCTION webhook.refuse()");
            try {
                assertThatThrownBy(() -> consumer.consume(batch)).isInstanceOf(DataAccessException.class);
            } finally {
                jdbc.execute("DROP TRIGGER refuse ON webhook.webhook_event");
                jdbc.execute("DROP FUNCTION webhook.refuse()");
            }
            assertThat(count("event_inbox", store)).isZero();
            assertThat(count("webhook_event", store)).isZero();
            assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook.invoice_state WHERE store_id = ?",
                    Integer.class, store.id().value())).isZero();

            assertThat(consumer.consume(batch).recorded()).hasSize(4);
            assertThat(consumer.consume(batch).recorded()).as("the same poll again").isEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 4);
            assertThat(receiver.requests().stream().map(r -> r.header("webhook-id"))
                    .filter(id -> !id.equals(other.eventId().value())).toList())
                    .containsExactly(created.eventId().value(), refused.eventId().value(), paid.eventId().value());
            assertThat(count("event_inbox", store)).isEqualTo(4);
            assertThat(jdbc.queryForObject("""
                    SELECT count(*) FROM webhook.delivery d JOIN webhook.webhook_event e ON e.event_id = d.event_id
                    WHERE e.store_id = ?""", Integer.class, store.id().value())).isEqualTo(4);
        }
    }

    private int count(String table, TestStore store) {
        return jdbc.queryForObject("SELECT count(*) FROM webhook." + table + " WHERE store_id = ?", Integer.class,
                store.id().value());
    }

    private static List<Received> received(LedgerEvent... events) throws Exception {
        var writer = LedgerJson.mapper().writerFor(LedgerEvent.class);
        var batch = new ArrayList<Received>();
        for (LedgerEvent e : events) {
            batch.add(new Received(e, writer.writeValueAsString(e), null));
        }
        return batch;
    }
}
