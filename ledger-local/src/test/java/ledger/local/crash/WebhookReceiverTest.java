package ledger.local.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.standardwebhooks.Webhook;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rule the kill suites judge repeated webhooks by: a repeat needs a kill, or an unanswered attempt, before it. */
class WebhookReceiverTest {

    private static final String EVENT = "evt_1";

    private final HttpClient http = HttpClient.newHttpClient();
    private WebhookReceiver receiver;
    private Webhook signer;

    @BeforeEach
    void start() throws Exception {
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        String secret = "whsec_" + Base64.getEncoder().encodeToString(key);
        receiver = new WebhookReceiver(0, 1);
        receiver.secret(secret);
        signer = new Webhook(secret);
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void aRepeatWithNothingBetweenIsUnexplained() throws Exception {
        deliver();
        deliver();

        assertThat(receiver.duplicates()).isEqualTo(1);
        assertThat(receiver.unexplainedRepeats(List.of(), Set.of())).hasSize(1);
    }

    @Test
    void aKillBetweenTheTwoExplainsTheRepeat() throws Exception {
        deliver();
        long killed = System.nanoTime();
        deliver();

        assertThat(receiver.unexplainedRepeats(List.of(killed), Set.of())).isEmpty();
    }

    @Test
    void aKillLongBeforeBothExplainsNothing() throws Exception {
        long killed = System.nanoTime() - Duration.ofSeconds(10).toNanos();
        deliver();
        deliver();

        assertThat(receiver.unexplainedRepeats(List.of(killed), Set.of())).hasSize(1);
    }

    @Test
    void anUnansweredAttemptExplainsTheRepeat() throws Exception {
        deliver();
        deliver();

        assertThat(receiver.unexplainedRepeats(List.of(), Set.of(EVENT))).isEmpty();
    }

    @Test
    void aDeliverySignedWithAnotherSecretIsRefusedAndNotRecorded() throws Exception {
        byte[] other = new byte[24];
        new SecureRandom().nextBytes(other);
        signer = new Webhook("whsec_" + Base64.getEncoder().encodeToString(other));

        assertThat(send()).isEqualTo(400);
        assertThat(receiver.badSignatures.get()).isEqualTo(1);
        assertThat(receiver.distinctEvents()).isZero();
    }

    private void deliver() throws Exception {
        assertThat(send()).as("the receiver acknowledged the delivery").isEqualTo(204);
    }

    private int send() throws Exception {
        String body = "{\"id\":\"" + EVENT + "\",\"type\":\"invoice.created\",\"data\":{\"invoice\":{\"id\":\"inv_1\"}}}";
        long timestamp = System.currentTimeMillis() / 1000;
        var response = http.send(HttpRequest.newBuilder(URI.create(receiver.url()))
                .header("webhook-id", EVENT).header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", signer.sign(EVENT, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
        return response.statusCode();
    }
}
