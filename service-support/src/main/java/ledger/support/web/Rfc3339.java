package ledger.support.web;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * RFC 3339 timestamps, the only form the API takes time in (SPEC §4.1), for the JSON bodies and the query
 * parameters alike. Java's ISO parser alone would also take a time without seconds, an offset with seconds
 * and years past 9999; Jackson's would read numbers and numeric strings as epoch time.
 */
public final class Rfc3339 {

    /** RFC 3339 §5.6 date-time: seconds and an offset required; {@code T}/{@code Z} may be lower case. */
    public static final Pattern DATE_TIME = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");

    private Rfc3339() {
    }

    /**
     * The instant {@code text} names, or a 400 {@code parameter_invalid} naming {@code param} for anything else
     * (including a well-shaped but impossible date such as February 30th).
     */
    public static Instant parse(String param, String text) {
        if (DATE_TIME.matcher(text).matches()) {
            try {
                return OffsetDateTime.parse(text.toUpperCase(Locale.ROOT)).toInstant();
            } catch (DateTimeParseException e) {
                // the 400 below
            }
        }
        throw ApiException.invalid(param, param + " must be an RFC 3339 timestamp such as 2026-12-31T23:59:59Z");
    }
}
