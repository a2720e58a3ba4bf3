package ledger.query.web;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;
import ledger.support.web.ApiException;

/** RFC 3339 timestamps in query parameters. */
public final class Instants {

    /**
     * RFC 3339 §5.6 date-time exactly: seconds and an offset are required. Java's ISO parser alone would also
     * take a time without seconds, offsets with seconds and years past 9999.
     */
    private static final Pattern RFC_3339 = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");

    private Instants() {
    }

    /**
     * Parses {@code value} (e.g. {@code 2026-11-21T10:15:30Z}, {@code …+02:00}); null stays null. Anything
     * else — a number, a numeric string (never read as epoch time), a date without a time — is a 400
     * {@code parameter_invalid} naming {@code param}. An unencoded {@code +} in a query string arrives as a
     * space, so a space is read as {@code +}.
     */
    public static Instant parse(String param, String value) {
        if (value == null) {
            return null;
        }
        String text = value.trim().replace(' ', '+');
        if (RFC_3339.matcher(text).matches()) {
            try {
                return OffsetDateTime.parse(text.toUpperCase(Locale.ROOT)).toInstant();
            } catch (DateTimeParseException e) {
                // a well-shaped but impossible date such as February 30th: the 400 below
            }
        }
        throw ApiException.invalid(param, param + " must be an RFC 3339 timestamp such as 2026-01-31T23:59:59Z");
    }

    /**
     * An {@code as_of} instant: as {@link #parse}, and not after {@code clock}'s now — a view or report
     * cannot know what has not happened yet.
     */
    public static Instant asOf(String param, String value, Clock clock) {
        Instant instant = parse(param, value);
        if (instant != null && instant.isAfter(clock.instant())) {
            throw ApiException.invalid(param, param + " must not be in the future");
        }
        return instant;
    }

    /** For JDBC: PostgreSQL maps OffsetDateTime to timestamptz without touching the JVM's zone. */
    public static OffsetDateTime sql(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
