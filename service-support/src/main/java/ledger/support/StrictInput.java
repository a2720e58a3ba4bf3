package ledger.support;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.function.Function;
import java.util.regex.Pattern;
import ledger.support.web.Rfc3339;
import ledger.support.web.Text;

/**
 * Request bodies read exactly what SPEC §4.1 allows, for the HTTP dialect only (stored events keep their
 * lenient {@code LedgerJson}): strings are valid Unicode without NUL, timestamps are RFC 3339 strings and
 * dates {@code YYYY-MM-DD} strings. Jackson's own time deserializers read a number or a digit string as
 * epoch time and an array as date parts — a merchant's mistake silently becoming 1970 — so those are
 * replaced here. A refusal names its reason; the error handler turns it into 400 {@code parameter_invalid}
 * with the field as {@code param}.
 */
final class StrictInput extends SimpleModule {

    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final String DATE_TIME_RULE = "must be an RFC 3339 date-time string such as 2026-12-31T23:59:59Z";

    StrictInput() {
        super("ledger-strict-input");
        addDeserializer(String.class, new Strings());
        addKeyDeserializer(String.class, new Keys());
        addDeserializer(OffsetDateTime.class, new Time<>(OffsetDateTime.class, Rfc3339.DATE_TIME, DATE_TIME_RULE,
                OffsetDateTime::parse));
        addDeserializer(Instant.class, new Time<>(Instant.class, Rfc3339.DATE_TIME, DATE_TIME_RULE,
                text -> OffsetDateTime.parse(text).toInstant()));
        addDeserializer(LocalDate.class, new Time<>(LocalDate.class, DATE, "must be a date string such as 2026-12-31",
                LocalDate::parse));
    }

    /** A refusal whose reason the error handler shows as the field's {@code details} entry. */
    private static JsonMappingException refused(JsonParser parser, String reason) {
        return JsonMappingException.from(parser, reason, new IllegalArgumentException(reason));
    }

    /** The reason {@code text} is not acceptable request text, or null when it is. */
    static String textProblem(String text) {
        if (text.indexOf('\u0000') >= 0) {
            // PostgreSQL text cannot hold U+0000, and no field of this API needs it.
            return "must not contain the NUL character";
        }
        if (!Text.isValidUnicode(text)) {
            // Stored as "?" by every encoder downstream: what is kept would not be what was sent.
            return "must be valid Unicode (it holds a lone surrogate)";
        }
        return null;
    }

    static final class Strings extends StringDeserializer {
        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String value = super.deserialize(parser, context);
            String problem = value == null ? null : textProblem(value);
            if (problem != null) {
                throw refused(parser, problem);
            }
            return value;
        }
    }

    /** Object keys, such as metadata's, are text the ledger stores too. */
    static final class Keys extends KeyDeserializer {
        @Override
        public Object deserializeKey(String key, DeserializationContext context) throws IOException {
            String problem = textProblem(key);
            if (problem != null) {
                throw refused(context.getParser(), "keys " + problem);
            }
            return key;
        }
    }

    /** Accepts only a JSON string of the given shape, parsed strictly (no 2026-02-30). */
    static final class Time<T> extends StdScalarDeserializer<T> {
        private final Pattern shape;
        private final String rule;
        private final Function<String, T> parse;

        Time(Class<T> type, Pattern shape, String rule, Function<String, T> parse) {
            super(type);
            this.shape = shape;
            this.rule = rule;
            this.parse = parse;
        }

        @Override
        public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (!parser.hasToken(JsonToken.VALUE_STRING)) {
                throw refused(parser, rule);
            }
            String text = parser.getText();
            if (!shape.matcher(text).matches()) {
                throw refused(parser, rule);
            }
            try {
                return parse.apply(text);
            } catch (DateTimeParseException e) {
                throw refused(parser, rule + " (" + text + " is not a valid one)");
            }
        }
    }
}
