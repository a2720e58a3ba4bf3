package ledger.support.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import ledger.events.StoreId;
import ledger.support.auth.ApiPrincipal;
import ledger.support.web.ErrorResponses;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class RateLimitsTest {

    final RateLimits limits = new RateLimits(new RateLimits.Limit(1, 2), new RateLimits.Limit(1, 3),
            new ErrorResponses(new ObjectMapper()));

    MockHttpServletResponse call(String method, String keyId) throws Exception {
        var request = new MockHttpServletRequest(method, "/v1/invoices");
        if (keyId != null) {
            request.setAttribute(ApiPrincipal.class.getName(),
                    new ApiPrincipal(new StoreId("st_a"), keyId, Set.of(), false));
        }
        var response = new MockHttpServletResponse();
        limits.doFilter(request, response, new MockFilterChain());
        return response;
    }

    @Test
    void writesBeyondTheBurstGet429WithRetryAfterAndACode() throws Exception {
        assertThat(call("POST", "key_1").getStatus()).isEqualTo(200);
        assertThat(call("POST", "key_1").getStatus()).isEqualTo(200);
        var limited = call("POST", "key_1");
        assertThat(limited.getStatus()).isEqualTo(429);
        assertThat(Integer.parseInt(limited.getHeader("Retry-After"))).isBetween(1, 2);
        assertThat(limited.getContentAsString()).contains("\"code\":\"rate_limited\"");
    }

    @Test
    void readsAndWritesAndKeysHaveSeparateBuckets() throws Exception {
        call("POST", "key_2");
        call("POST", "key_2");
        assertThat(call("POST", "key_2").getStatus()).isEqualTo(429);
        assertThat(call("GET", "key_2").getStatus()).as("read bucket").isEqualTo(200);
        assertThat(call("POST", "key_3").getStatus()).as("another key").isEqualTo(200);
    }

    @Test
    void unauthenticatedRequestsSuchAsHealthAreNotLimited() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(call("GET", null).getStatus()).isEqualTo(200);
        }
    }
}
