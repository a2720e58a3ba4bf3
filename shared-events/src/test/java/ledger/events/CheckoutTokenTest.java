package ledger.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckoutTokenTest {

    static final String VALID = "ck_" + "A".repeat(21) + "_-" + "z9".repeat(10);

    @Test
    void generatedTokensHaveTheDocumentedFormAndDiffer() {
        var first = CheckoutToken.generate();
        var second = CheckoutToken.generate();

        assertThat(first.value()).matches("ck_[A-Za-z0-9_-]{43}");
        assertThat(second.value()).matches("ck_[A-Za-z0-9_-]{43}");
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void parsesAWellFormedToken() {
        assertThat(CheckoutToken.parse(VALID)).contains(new CheckoutToken(VALID));
    }

    @ParameterizedTest
    @ValueSource(strings = {"inv_7Hq2LmXc9RtY4vBn3KpW8sJd", "", "ck_", "ck_short",
            "ck_AAAAAAAAAAAAAAAAAAAAA_-z9z9z9z9z9z9z9z9z9z", // 42 characters
            "ck_AAAAAAAAAAAAAAAAAAAAA_-z9z9z9z9z9z9z9z9z9z9z", // 44 characters
            "ck_AAAAAAAAAAAAAAAAAAAAA_-z9z9z9z9z9z9z9z9z9+9", // base64, not base64url
            "ck_AAAAAAAAAAAAAAAAAAAAA_-z9z9z9z9z9z9z9z9z9=9",
            "CK_AAAAAAAAAAAAAAAAAAAAA_-z9z9z9z9z9z9z9z9z9z9",
            " ck_AAAAAAAAAAAAAAAAAAAAA_-z9z9z9z9z9z9z9z9z9z9",
            "ck_AAAAAAAAAAAAAAAAAAAAA_-z9z9z9z9z9z9z9z9z9z9\n",
            "sk_test_AAAAAAAAAAAAAAAAAAAAA_-z9z9z9z9z9z9z9z9z9"})
    void refusesAnythingElse(String raw) {
        assertThat(CheckoutToken.parse(raw)).isEmpty();
        assertThatThrownBy(() -> new CheckoutToken(raw)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesNull() {
        assertThat(CheckoutToken.parse(null)).isEmpty();
        assertThat(CheckoutToken.ofCheckoutUrl(null)).isEmpty();
    }

    @Test
    void aTamperedCharacterIsStillWellFormedButAnotherToken() {
        var token = CheckoutToken.generate();
        String value = token.value();
        char last = value.charAt(value.length() - 1);
        String tampered = value.substring(0, value.length() - 1) + (last == 'A' ? 'B' : 'A');

        assertThat(CheckoutToken.parse(tampered)).hasValueSatisfying(t -> assertThat(t).isNotEqualTo(token));
        assertThat(CheckoutToken.parse(value.substring(0, value.length() - 1))).isEmpty();
    }

    @Test
    void readsTheTokenAtTheEndOfACheckoutUrl() {
        assertThat(CheckoutToken.ofCheckoutUrl("http://localhost:8080/checkout/" + VALID))
                .contains(new CheckoutToken(VALID));
        assertThat(CheckoutToken.ofCheckoutUrl(VALID)).contains(new CheckoutToken(VALID));
    }

    @Test
    void aCheckoutUrlFromBeforeTokensHasNone() {
        assertThat(CheckoutToken.ofCheckoutUrl("http://localhost:8080/checkout/inv_7Hq2LmXc9RtY4vBn3KpW8sJd")).isEmpty();
        assertThat(CheckoutToken.ofCheckoutUrl("http://localhost:8080/checkout/" + VALID + "/")).isEmpty();
        assertThat(CheckoutToken.ofCheckoutUrl("http://localhost:8080/checkout/")).isEmpty();
    }

    @Test
    void neverPrintsTheSecret() {
        var token = CheckoutToken.generate();

        assertThat(token.toString()).isEqualTo("CheckoutToken[redacted]").doesNotContain(token.value());
        assertThat(String.valueOf(java.util.List.of(token))).doesNotContain(token.value());
    }
}
