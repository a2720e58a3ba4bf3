package ledger.query.event;

import java.io.IOException;
import java.io.Writer;

/** RFC 4180 fields: quoted when they contain a comma, quote, CR or LF; quotes doubled. */
final class Csv {

    private Csv() {
    }

    static void row(Writer out, String... fields) throws IOException {
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            field(out, fields[i]);
        }
        out.write("\r\n");
    }

    static void field(Writer out, String value) throws IOException {
        if (value == null) {
            return;
        }
        boolean quote = false;
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        if (!quote) {
            out.write(value);
            return;
        }
        out.write('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                out.write('"');
            }
            out.write(c);
        }
        out.write('"');
    }
}
