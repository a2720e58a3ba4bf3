package ledger.query.web;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import ledger.support.web.ApiException;

/** RFC 3339 timestamps in query parameters. */
public final class Instants {

    private Instants() {
    }

    /**
     * Parses {@code value} (e.g. {@code 2026-11-21T10:15:30Z}, {@code …+02:00}); null stays null.
     * An unencoded {@code +} in a query string arrives as a space, so a space is read as {@code +}.
     */
    public static Instant parse(String param, String value) {
        if (value == null) {
            return null;
        }
        String text = value.trim().replace(' ', '+');
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(param, param + " must be an RFC 3339 timestamp such as 2026-01-31T23:59:59Z");
        }
    }

    /** For JDBC: PostgreSQL maps OffsetDateTime to timestamptz without touching the JVM's zone. */
    public static OffsetDateTime sql(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
