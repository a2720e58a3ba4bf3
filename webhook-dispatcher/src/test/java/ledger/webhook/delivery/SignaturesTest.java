package ledger.webhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Our signatures against the reference Standard Webhooks verifier. */
class SignaturesTest {

    private static final String OLD = "whsec_" + Base64.getEncoder().encodeToString("old-secret-0123456789abcdef".getBytes());
    private static final String NEW = "whsec_" + Base64.getEncoder().encodeToString("new-secret-0123456789abcdef".getBytes());
    private static final String BODY = "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"data\":{\"amount\":\"9.99\"}}";

    private static Map<String, List<String>> headers(String id, long timestamp, String signature) {
        return Map.of("webhook-id", List.of(id), "webhook-timestamp", List.of(Long.toString(timestamp)),
                "webhook-signature", List.of(signature));
    }

    @Test
    void matchesTheReferenceSignerByteForByte() throws Exception {
        long ts = 1_700_000_000L;
        String ours = Signatures.header("msg_1", ts, BODY.getBytes(StandardCharsets.UTF_8), List.of(NEW));
        assertThat(ours).isEqualTo(new Webhook(NEW).sign("msg_1", ts, BODY));
    }

    @Test
    void duringARotationBothSecretsVerify() throws Exception {
        long now = Instant.now().getEpochSecond();
        String header = Signatures.header("evt_1", now, BODY.getBytes(StandardCharsets.UTF_8), List.of(NEW, OLD));
        assertThat(header.split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        new Webhook(NEW).verify(BODY, headers("evt_1", now, header));
        new Webhook(OLD).verify(BODY, headers("evt_1", now, header));
        String other = "whsec_" + Base64.getEncoder().encodeToString("another-secret-0123456789".getBytes());
        assertThatThrownBy(() -> new Webhook(other).verify(BODY, headers("evt_1", now, header)))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void aChangedBodyIdOrTimestampFailsVerification() {
        long now = Instant.now().getEpochSecond();
        String header = Signatures.header("evt_1", now, BODY.getBytes(StandardCharsets.UTF_8), List.of(NEW));
        var verifier = new Webhook(NEW);
        assertThatThrownBy(() -> verifier.verify(BODY.replace("9.99", "99.9"), headers("evt_1", now, header)))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> verifier.verify(BODY, headers("evt_2", now, header)))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> verifier.verify(BODY, headers("evt_1", now - 1, header)))
                .isInstanceOf(WebhookVerificationException.class);
    }
}
