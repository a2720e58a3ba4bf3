package ledger.query.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import ledger.support.web.ApiException;
import org.junit.jupiter.api.Test;

class InstantsTest {

    @Test
    void readsRfc3339WithAnyOffset() {
        assertThat(Instants.parse("as_of", "2026-01-31T23:59:59Z")).isEqualTo(Instant.parse("2026-01-31T23:59:59Z"));
        assertThat(Instants.parse("as_of", "2026-02-01T01:00:00.5+02:00"))
                .isEqualTo(Instant.parse("2026-01-31T23:00:00.5Z"));
        // An unencoded + in a query string arrives as a space.
        assertThat(Instants.parse("as_of", "2026-02-01T01:00:00 02:00")).isEqualTo(Instant.parse("2026-01-31T23:00:00Z"));
        assertThat(Instants.parse("as_of", null)).isNull();
        assertThat(Instants.parse("as_of", "2026-01-31t23:59:59.123456789z"))
                .isEqualTo(Instant.parse("2026-01-31T23:59:59.123456789Z"));
    }

    @Test
    void asOfMayNotBeInTheFutureOfTheClock() {
        var now = Instant.parse("2026-06-01T12:00:00Z");
        var clock = Clock.fixed(now, ZoneOffset.UTC);
        assertThat(Instants.asOf("as_of", "2026-06-01T12:00:00Z", clock)).isEqualTo(now);
        assertThat(Instants.asOf("as_of", "2026-06-01T13:59:59+02:00", clock)).isEqualTo(now.minusSeconds(1));
        assertThat(Instants.asOf("as_of", null, clock)).isNull();
        for (String future : new String[] {"2026-06-01T12:00:00.000001Z", "2026-06-01T14:00:01+02:00"}) {
            assertThatThrownBy(() -> Instants.asOf("as_of", future, clock)).as(future)
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.code()).isEqualTo("parameter_invalid");
                        assertThat(e.param()).isEqualTo("as_of");
                    });
        }
    }

    @Test
    void refusesAnythingElseNamingTheParameter() {
        // A number or numeric string is never epoch time; a date is not an instant; RFC 3339 needs seconds
        // and an hh:mm offset (Java's own parser would take the last four).
        for (String bad : new String[] {"2026-01-31", "yesterday", "2026-02-30T00:00:00Z", "1767225600", "1796438077",
                "1.5", "", "2026-01-31T23:59Z", "2026-01-31T23:59:59", "2026-01-31T23:59:59+02:00:30",
                "+12026-01-31T23:59:59Z", "2026-01-31T23:59:59.1234567891Z"}) {
            assertThatThrownBy(() -> Instants.parse("created[gte]", bad)).as(bad)
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.code()).isEqualTo("parameter_invalid");
                        assertThat(e.param()).isEqualTo("created[gte]");
                    });
        }
    }

    @Test
    void createdRangeAddsOneConditionPerBound() {
        var range = CreatedRange.of("2026-01-01T00:00:00Z", null, null, "2026-02-01T00:00:00Z");
        var sql = new StringBuilder();
        var args = new ArrayList<Object>();
        range.appendTo("created_at", sql, args);
        assertThat(sql.toString()).isEqualTo(" AND created_at >= ? AND created_at < ?");
        assertThat(args).hasSize(2);
    }
}
