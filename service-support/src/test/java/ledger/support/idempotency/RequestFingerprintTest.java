package ledger.support.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestFingerprintTest {

    static String of(String body) {
        return RequestFingerprint.of("POST", "/v1/invoices", null, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void whitespaceTrailingNewlineAndKeyOrderAreTheSameRequest() {
        String first = of("{\"amount\":\"7.00\",\"metadata\":{\"a\":\"1\",\"b\":\"2\"}}");

        assertThat(of("{\"amount\": \"7.00\",\"metadata\":{\"a\":\"1\",\"b\":\"2\"}}")).isEqualTo(first);
        assertThat(of("{\"amount\":\"7.00\",\"metadata\":{\"a\":\"1\",\"b\":\"2\"}}\n")).isEqualTo(first);
        assertThat(of("{\n  \"metadata\" : {\"b\":\"2\", \"a\":\"1\"},\n  \"amount\" : \"7.00\"\n}")).isEqualTo(first);
    }

    @Test
    void aDifferentParsedRequestIsDifferent() {
        String first = of("{\"amount\":\"7.00\"}");

        assertThat(of("{\"amount\":\"7.0\"}")).isNotEqualTo(first);
        assertThat(of("{\"amount\":\"7.00\",\"description\":null}")).isNotEqualTo(first);
        assertThat(of("[{\"amount\":\"7.00\"}]")).isNotEqualTo(first);
        assertThat(RequestFingerprint.of("POST", "/v1/invoices/inv_1/payments", null,
                "{\"amount\":\"7.00\"}".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(first);
        assertThat(RequestFingerprint.of("POST", "/v1/invoices", "x=1",
                "{\"amount\":\"7.00\"}".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(first);
    }

    @Test
    void queryParameterOrderDoesNotMatter() {
        byte[] none = new byte[0];
        assertThat(RequestFingerprint.of("POST", "/x", "a=1&b=2", none))
                .isEqualTo(RequestFingerprint.of("POST", "/x", "b=2&a=1", none))
                .isNotEqualTo(RequestFingerprint.of("POST", "/x", "a=2&b=1", none));
    }

    @Test
    void aBodyThatIsNotOneJsonValueIsComparedByItsBytes() {
        assertThat(of("")).isEqualTo(of("")).isNotEqualTo(of("{}"));
        assertThat(of("amount=7")).isNotEqualTo(of("amount=8"));
        assertThat(of("{\"a\":1,\"a\":2}")).isNotEqualTo(of("{\"a\":2,\"a\":1}"));
        assertThat(of("{\"a\":1} {\"b\":2}")).isNotEqualTo(of("{\"a\":1}"));
    }

    /** Found by HostileInputIT: these bodies made the fingerprint throw (a 500) or write a billion zeros. */
    @Test
    void numbersNoDecimalHoldsAreComparedByTheirBytes() {
        assertThat(of("1e2147483648")).isEqualTo(of("1e2147483648")).isNotEqualTo(of("1e2147483647"));
        assertThat(of("{\"a\":1e999999999}")).isEqualTo(of("{ \"a\": 1e999999999 }"));
    }
}
