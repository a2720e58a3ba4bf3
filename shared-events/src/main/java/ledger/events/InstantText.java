package ledger.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The ledger's timestamps as JSON text, the way {@link Instant#toString()} writes them and {@link Instant#parse}
 * reads them ({@code 2026-11-21T10:15:30.123Z}: UTC, the fraction in groups of three digits), without
 * {@code java.time}'s general formatter. Profiled in a rebuild, that formatter's parsing and printing were a
 * quarter of the fold's CPU: every event and every view carries several timestamps. Text of any other shape (an
 * offset, a year past 9999, a leap second) goes to Jackson's own {@link InstantDeserializer} or to
 * {@link Instant#toString()}, so what is read and written does not change, only how fast.
 */
public final class InstantText {

    private static final long SECONDS_PER_DAY = 86_400;
    /** 10000-01-01T00:00:00Z: from here on a year has five digits and a sign. */
    private static final long FIRST_FIVE_DIGIT_YEAR = 253_402_300_800L;

    private InstantText() {
    }

    /** The same text as {@link Instant#toString()}. */
    public static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < 0 || seconds >= FIRST_FIVE_DIGIT_YEAR) {
            return instant.toString();
        }
        LocalDate date = LocalDate.ofEpochDay(seconds / SECONDS_PER_DAY);
        int secondOfDay = (int) (seconds % SECONDS_PER_DAY);
        int nanos = instant.getNano();
        char[] text = new char[30];
        digits(text, 0, date.getYear(), 4);
        text[4] = '-';
        digits(text, 5, date.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, date.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, secondOfDay / 3600, 2);
        text[13] = ':';
        digits(text, 14, secondOfDay / 60 % 60, 2);
        text[16] = ':';
        digits(text, 17, secondOfDay % 60, 2);
        int end = 19;
        if (nanos != 0) {
            text[end++] = '.';
            if (nanos % 1_000_000 == 0) {
                digits(text, end, nanos / 1_000_000, 3);
                end += 3;
            } else if (nanos % 1_000 == 0) {
                digits(text, end, nanos / 1_000, 6);
                end += 6;
            } else {
                digits(text, end, nanos, 9);
                end += 9;
            }
        }
        text[end++] = 'Z';
        return new String(text, 0, end);
    }

    /**
     * The instant of {@code text} if it has the shape {@link #format} writes ({@code yyyy-MM-ddTHH:mm:ss}, then
     * optionally a fraction of one to nine digits, then {@code Z}) and names a real date and time; else null.
     */
    public static Instant parseUtc(String text) {
        int length = text.length();
        if (length < 20 || length > 30 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(length - 1) != 'Z') {
            return null;
        }
        int year = number(text, 0, 4);
        int month = number(text, 5, 2);
        int day = number(text, 8, 2);
        int hour = number(text, 11, 2);
        int minute = number(text, 14, 2);
        int second = number(text, 17, 2);
        int nanos = 0;
        if (length > 20) {
            int digits = length - 21;
            if (text.charAt(19) != '.' || digits < 1) {
                return null;
            }
            nanos = number(text, 20, digits);
            for (int i = digits; i < 9 && nanos >= 0; i++) {
                nanos *= 10;
            }
        }
        if ((year | month | day | hour | minute | second | nanos) < 0 || month < 1 || month > 12 || day < 1
                || day > LocalDate.of(year, month, 1).lengthOfMonth() || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second, nanos);
    }

    /** Jackson's (de)serializers for {@link Instant} with {@link #format} and {@link #parseUtc} as fast paths. */
    static SimpleModule module() {
        return new SimpleModule("ledger-instant-text")
                .addSerializer(Instant.class, new Serializer())
                .addDeserializer(Instant.class, new Deserializer());
    }

    private static final class Serializer extends StdScalarSerializer<Instant> {

        Serializer() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(format(value));
        }
    }

    private static final class Deserializer extends StdScalarDeserializer<Instant> {

        Deserializer() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                Instant instant = parseUtc(p.getText());
                if (instant != null) {
                    return instant;
                }
            }
            return InstantDeserializer.INSTANT.deserialize(p, ctxt);
        }
    }

    /** The non-negative decimal of {@code count} digits at {@code from}, or -1 if one of them is not a digit. */
    private static int number(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static void digits(char[] text, int from, int value, int count) {
        for (int i = from + count - 1; i >= from; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
