package ledger.support.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import ledger.support.auth.Authentication;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The hosted invoice page's headers on every {@code /checkout/} answer, errors and redirects included
 * (SPEC §8), in whichever service serves it. The URL holds the page's secret, so it must not leave by a
 * Referer (not even to the merchant's return_url), be cached or be indexed; the page loads nothing but
 * its own script and stylesheet, and cannot be framed.
 */
public final class CheckoutHeaders extends OncePerRequestFilter {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !Authentication.isCheckoutPage(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("X-Robots-Tag", "noindex");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        chain.doFilter(request, response);
    }
}
