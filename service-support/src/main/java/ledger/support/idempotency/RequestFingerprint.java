package ledger.support.idempotency;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * What "the same request" means for an {@code Idempotency-Key} (SPEC §4.1): the same method, path, query
 * parameters and <em>parsed</em> body. A JSON body is compared in a canonical form — keys sorted, no
 * whitespace — so a retry that re-serialised its body (another key order, a trailing newline) is still the
 * same request; a body that is not one JSON value is compared byte for byte.
 */
final class RequestFingerprint {

    /**
     * Reads any JSON value exactly (decimals as written) and writes it with every object's keys sorted.
     * Decimals are written as {@link java.math.BigDecimal#toString()}, never plain: {@code 1e999999999} would
     * otherwise be a billion zeros.
     */
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private RequestFingerprint() {
    }

    /** Hex SHA-256 of the request's canonical form; {@code query} is the raw query string or null. */
    static String of(String method, String path, String query, byte[] body) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update((method + " " + path + "?" + sortedQuery(query) + "\n").getBytes(StandardCharsets.UTF_8));
            digest.update(canonicalBody(body));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sortedQuery(String query) {
        if (query == null) {
            return "";
        }
        String[] pairs = query.split("&");
        Arrays.sort(pairs);
        return String.join("&", pairs);
    }

    private static byte[] canonicalBody(byte[] body) {
        try {
            return ("json:" + CANONICAL.writeValueAsString(CANONICAL.readValue(body, Object.class)))
                    .getBytes(StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException notOneJsonValue) {
            // Empty, malformed, not JSON at all, or a number no decimal holds (1e2147483648): the handler
            // refuses or reads it as it is.
            byte[] tagged = Arrays.copyOf("raw:".getBytes(StandardCharsets.UTF_8), 4 + body.length);
            System.arraycopy(body, 0, tagged, 4, body.length);
            return tagged;
        }
    }
}
