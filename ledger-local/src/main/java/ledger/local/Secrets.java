package ledger.local;

import java.security.SecureRandom;
import java.util.Base64;

final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    static String randomToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Enough of a key to recognise it in a message, not enough to use it. */
    static String mask(String secret) {
        if (secret == null) {
            return null;
        }
        int keep = Math.min(8, secret.length() / 3);
        return secret.substring(0, keep) + "…";
    }
}
