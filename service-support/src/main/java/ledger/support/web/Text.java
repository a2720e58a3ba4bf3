package ledger.support.web;

/**
 * Text as SPEC §4.1 counts it: valid Unicode, measured in characters (code points) — an emoji is one
 * character, not the two UTF-16 units {@link String#length()} counts.
 */
public final class Text {

    private Text() {
    }

    /** The number of characters (code points) of {@code text}. */
    public static int codePoints(String text) {
        return text.codePointCount(0, text.length());
    }

    /** Whether every UTF-16 surrogate of {@code text} is half of a pair: a lone one encodes no character. */
    public static boolean isValidUnicode(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
