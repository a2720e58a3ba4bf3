package ledger.support.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ledger.support.WebSlice;
import ledger.support.web.ErrorResponses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Which paths need no API key: only the buyer's hosted page, and only under a path Tomcat routes there. */
class AuthenticationTest {

    // No registry: a request that reached it would fail the test with an exception.
    private final Authentication authentication = new Authentication(null, "admin", new ErrorResponses(WebSlice.httpJson()));

    private MockHttpServletResponse call(String uri, String authorization) throws Exception {
        var request = new MockHttpServletRequest("POST", uri);
        if (authorization != null) {
            request.addHeader("Authorization", authorization);
        }
        var response = new MockHttpServletResponse();
        var chain = new MockFilterChain();
        authentication.doFilter(request, response, chain);
        if (chain.getRequest() != null) {
            response.setStatus(299); // reached the handler
        }
        return response;
    }

    @ParameterizedTest
    @ValueSource(strings = {"/checkout/ck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/payments",
            "/checkout/ck_x", "/checkout/assets/checkout.js", "/checkout/inv_1"})
    void theHostedPageNeedsNoKey(String uri) throws Exception {
        assertThat(call(uri, null).getStatus()).isEqualTo(299);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/checkout", "/checkoutx/y", "/v1/checkout/x", "/checkout/..;/v1/invoices",
            "/checkout/../v1/invoices", "/checkout/%2e%2e/v1/invoices", "/checkout/x/..%2F..%2Fv1/invoices",
            "/checkout;x=1/../v1/invoices"})
    void anythingElseStillNeedsOne(String uri) throws Exception {
        var response = call(uri, null);

        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(response.getContentAsString()).contains("\"code\":\"unauthenticated\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer ck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Bearer inv_1"})
    void aCheckoutTokenIsNoApiKey(String authorization) throws Exception {
        assertThat(call("/v1/invoices", authorization).getStatus()).isEqualTo(401);
    }
}
