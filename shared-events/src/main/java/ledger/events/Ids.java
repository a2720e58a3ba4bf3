package ledger.events;

import java.security.SecureRandom;

/** Opaque public identifiers: a type prefix and 24 random base62 characters (≈143 bits). */
public final class Ids {

    private static final char[] ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    /** A new identifier such as {@code inv_4fQ…}. */
    public static String random(String prefix) {
        return prefix + randomToken(24);
    }

    /** {@code length} random base62 characters. */
    public static String randomToken(int length) {
        var chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }

    /** Whether {@code value} has the given prefix followed by 1–64 base62 characters. */
    public static boolean isWellFormed(String value, String prefix) {
        if (value == null || !value.startsWith(prefix)) {
            return false;
        }
        int n = value.length() - prefix.length();
        if (n < 1 || n > 64) {
            return false;
        }
        for (int i = prefix.length(); i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                return false;
            }
        }
        return true;
    }

    static String require(String value, String prefix) {
        if (!isWellFormed(value, prefix)) {
            throw new IllegalArgumentException("not a " + prefix + "… id: " + value);
        }
        return value;
    }
}
