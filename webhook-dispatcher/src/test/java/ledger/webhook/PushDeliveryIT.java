package ledger.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * New work wakes the worker up: with a poll interval of an hour, an event is still sent as soon as the inbox
 * has committed it, and the invoice's next event as soon as the first one's attempt has ended. Nothing
 * waits for a poll.
 */
class PushDeliveryIT {

    private static final String TOPIC = "ledger.invoice-events.push-it";

    @Test
    void eventsAreSentWithoutAPollOnceTheInboxAndEachAttemptHaveCommitted() throws Exception {
        var store = WebhookIT.newStore();
        try (var receiver = Receiver.start();
             var dispatcher = DeliveryRestartIT.startDispatcher("webhook_push", TOPIC,
                     "--ledger.webhooks.poll-interval=1h")) {
            assertThat(DeliveryRestartIT.api(dispatcher).post("/v1/webhook_endpoints", store.key(),
                    "{\"url\":\"" + receiver.url("/hooks") + "\"}").status()).isEqualTo(201);
            var invoice = WebhookIT.created(store.id(), "10.00", null);
            var paid = WebhookIT.payment(invoice, 2, "10.00", "10.00");
            WebhookIT.publishTo(TOPIC, invoice, paid);

            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 2);
            assertThat(receiver.requests()).extracting(r -> r.header("webhook-id"))
                    .containsExactly(invoice.eventId().value(), paid.eventId().value());
        }
    }
}
