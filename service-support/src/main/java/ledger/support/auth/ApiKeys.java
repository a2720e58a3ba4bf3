package ledger.support.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import ledger.events.Ids;

/** Making, recognising and hashing {@code sk_test_…} / {@code sk_live_…} keys. */
public final class ApiKeys {

    private static final Pattern FORMAT = Pattern.compile("sk_(test|live)_[A-Za-z0-9]{16,128}");

    private ApiKeys() {
    }

    public static String generate(String mode) {
        return "sk_" + mode + "_" + Ids.randomToken(32);
    }

    public static boolean isWellFormed(String key) {
        return key != null && FORMAT.matcher(key).matches();
    }

    public static String modeOf(String key) {
        return key.startsWith("sk_live_") ? "live" : "test";
    }

    /** Hex SHA-256 of the key: what is stored and looked up, never the key itself. */
    public static String hash(String key) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A key safe for logs: prefix and last four characters. */
    public static String redact(String key) {
        if (key == null || key.length() < 12) {
            return "sk_…";
        }
        return key.substring(0, 8) + "…" + key.substring(key.length() - 4);
    }
}
