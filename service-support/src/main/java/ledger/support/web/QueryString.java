package ledger.support.web;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The parameters of a raw query string, decoded strictly: the servlet container skips a parameter it
 * cannot decode (or keeps a "?" for it), and merges form-body parameters in, so checks that must see
 * exactly what the client put in the URL read it here.
 */
final class QueryString {

    record Parameter(String name, String value) {
    }

    private QueryString() {
    }

    /**
     * Every parameter of {@code rawQuery} (null: none), in order.
     *
     * @throws ApiException 400 {@code parameter_invalid} for a name or value that is not valid UTF-8 text
     *                      without NUL (PostgreSQL can neither store nor compare NUL)
     */
    static List<Parameter> parse(String rawQuery) {
        var parameters = new ArrayList<Parameter>();
        if (rawQuery == null) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String rawName = equals < 0 ? pair : pair.substring(0, equals);
            String name = decode(rawName);
            if (name == null) {
                throw ApiException.invalid(rawName, rawName + " must be valid UTF-8 text");
            }
            if (name.indexOf('\0') >= 0) {
                String shown = name.replace("\0", "\\u0000");
                throw ApiException.invalid(shown, shown + " must not contain the NUL character");
            }
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            if (value == null) {
                throw ApiException.invalid(name, name + " must be valid UTF-8 text");
            }
            if (value.indexOf('\0') >= 0) {
                throw ApiException.invalid(name, name + " must not contain the NUL character");
            }
            parameters.add(new Parameter(name, value));
        }
        return parameters;
    }

    /**
     * Percent-decodes {@code raw} as UTF-8, or null when it is not valid text. Characters below U+0100
     * stand for the bytes the container read (it shows the request line as ISO-8859-1). Java's UTF-8
     * decoder refuses encoded surrogates, so a lone surrogate is refused here too.
     */
    private static String decode(String raw) {
        var bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || !HexFormat.isHexDigit(raw.charAt(i + 1))
                        || !HexFormat.isHexDigit(raw.charAt(i + 2))) {
                    return null;
                }
                bytes.write(HexFormat.fromHexDigits(raw, i + 1, i + 3));
                i += 2;
            } else if (c == '+') {
                bytes.write(' ');
            } else if (c < 0x100) {
                bytes.write(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < raw.length()
                    && Character.isLowSurrogate(raw.charAt(i + 1))) {
                bytes.writeBytes(raw.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                i++;
            } else if (Character.isSurrogate(c)) {
                return null;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
