package ledger.webhook.delivery;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>}, where the
 * key is the base64-decoded part of a {@code whsec_…} secret. During a secret rotation the header carries
 * one signature per valid secret, space-separated, and receivers accept any that matches.
 */
final class Signatures {

    static final String SECRET_PREFIX = "whsec_";

    private Signatures() {
    }

    /** The {@code webhook-signature} header value for one message, signed with every given secret. */
    static String header(String messageId, long timestamp, byte[] body, List<String> secrets) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("no signing secret");
        }
        return secrets.stream().map(s -> "v1," + sign(key(s), messageId, timestamp, body))
                .collect(Collectors.joining(" "));
    }

    static byte[] key(String secret) {
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        return Base64.getDecoder().decode(encoded);
    }

    private static String sign(byte[] key, String messageId, long timestamp, byte[] body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
