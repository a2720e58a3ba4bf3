package ledger.gateway;

import java.net.URI;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RawQueryProxyExchangeTest {

    // What the gateway's handler builds for ?as_of=2024-01-31T00:00:00Z&flag
    private static final URI REENCODED = URI
        .create("http://127.0.0.1:8082/v1/invoices/inv_1?as_of=2024-01-31T00%3A00%3A00Z&flag=");

    @Test
    void forwardsTheQueryExactlyAsSent() {
        assertThat(RawQueryProxyExchange.withRawQuery(REENCODED, "as_of=2024-01-31T00:00:00Z&flag"))
            .hasToString("http://127.0.0.1:8082/v1/invoices/inv_1?as_of=2024-01-31T00:00:00Z&flag");
    }

    @Test
    void encodesOnlyTheBracketsBackendsWouldReject() {
        assertThat(RawQueryProxyExchange.withRawQuery(REENCODED, "created[gte]=2024-01-01&x=%2B1"))
            .hasToString("http://127.0.0.1:8082/v1/invoices/inv_1?created%5Bgte%5D=2024-01-01&x=%2B1");
    }

    @Test
    void forwardsNoQueryWhenNoneWasSent() {
        assertThat(RawQueryProxyExchange.withRawQuery(REENCODED, null))
            .hasToString("http://127.0.0.1:8082/v1/invoices/inv_1");
    }

}
