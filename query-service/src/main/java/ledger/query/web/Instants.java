package ledger.query.web;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import ledger.support.web.ApiException;
import ledger.support.web.Rfc3339;

/** RFC 3339 timestamps in query parameters. */
public final class Instants {

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
        return Rfc3339.parse(param, value.trim().replace(' ', '+'));
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
