package ledger.support.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueryStringTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "limit=10&starting_after=%00       | starting_after",
            "status=open&created%5Bgte%5D=1%00 | created[gte]",
            "a%00b=1                           | a\\u0000b",
            // invalid UTF-8, and UTF-8 of a lone surrogate (U+D800), which Tomcat would drop or turn into "?"
            "description=%ff                   | description",
            "description=x%ED%A0%80y           | description",
            "starting_after=%zz                | starting_after",
            "%ff=1                             | %ff"})
    void aParameterThatIsNotValidTextIsRefusedByName(String query, String param) {
        assertThatThrownBy(() -> QueryString.parse(query)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo("parameter_invalid");
            assertThat(e.param()).isEqualTo(param);
        });
    }

    @Test
    void validQueriesDecode() {
        assertThat(QueryString.parse(null)).isEmpty();
        assertThat(QueryString.parse("limit=10&&starting_after=inv_100&q=%2500&e=%F0%9F%98%80+x&flag")).containsExactly(
                new QueryString.Parameter("limit", "10"), new QueryString.Parameter("starting_after", "inv_100"),
                new QueryString.Parameter("q", "%00"), new QueryString.Parameter("e", "\uD83D\uDE00 x"),
                new QueryString.Parameter("flag", ""));
    }
}
