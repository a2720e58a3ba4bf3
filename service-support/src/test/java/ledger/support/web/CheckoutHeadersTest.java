package ledger.support.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class CheckoutHeadersTest {

    private static MockHttpServletResponse answer(String method, String path) throws Exception {
        var request = new MockHttpServletRequest(method, path);
        var response = new MockHttpServletResponse();
        new CheckoutHeaders().doFilter(request, response, new MockFilterChain());
        return response;
    }

    @Test
    void everyCheckoutAnswerKeepsItsUrlPrivateAndLoadsOnlyItsOwnAssets() throws Exception {
        for (var path : new String[] {"/checkout/ck_x", "/checkout/ck_x/payments", "/checkout/assets/checkout.js"}) {
            var response = answer(path.endsWith("payments") ? "POST" : "GET", path);
            assertThat(response.getHeader("Referrer-Policy")).as(path).isEqualTo("no-referrer");
            assertThat(response.getHeader("Cache-Control")).as(path).isEqualTo("no-store");
            assertThat(response.getHeader("X-Robots-Tag")).as(path).isEqualTo("noindex");
            assertThat(response.getHeader("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
            assertThat(response.getHeader("Content-Security-Policy")).as(path)
                    .contains("default-src 'none'", "frame-ancestors 'none'", "script-src 'self'");
        }
    }

    @Test
    void theMerchantApiIsLeftAlone() throws Exception {
        var response = answer("GET", "/v1/invoices");
        assertThat(response.getHeaderNames()).isEmpty();
    }
}
