package ledger.query.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
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
    }

    @Test
    void refusesAnythingElseNamingTheParameter() {
        for (String bad : new String[] {"2026-01-31", "yesterday", "2026-02-30T00:00:00Z", "1767225600", ""}) {
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
