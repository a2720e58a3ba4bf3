package ledger.support.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NulParametersTest {

    @Test
    void findsTheParameterWhoseValueHoldsAnEncodedNul() {
        assertThat(NulParameters.withNul("limit=10&starting_after=%00")).isEqualTo("starting_after");
        assertThat(NulParameters.withNul("status=open&created%5Bgte%5D=1%00")).isEqualTo("created[gte]");
    }

    @Test
    void aNulInTheNameIsReportedWithoutTheRawCharacter() {
        assertThat(NulParameters.withNul("a%00b=1")).isEqualTo("a\\u0000b");
    }

    @Test
    void queriesWithoutNulPass() {
        assertThat(NulParameters.withNul(null)).isNull();
        assertThat(NulParameters.withNul("limit=10&starting_after=inv_100")).isNull();
        assertThat(NulParameters.withNul("q=%2500")).isNull();
    }
}
