package ledger.webhook.endpoint;

import java.security.SecureRandom;
import java.util.Base64;

/** Endpoint signing secrets: {@code whsec_} + base64 of 32 random bytes (Standard Webhooks format). */
final class EndpointSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private EndpointSecrets() {
    }

    static String generate() {
        var key = new byte[32];
        RANDOM.nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }
}
