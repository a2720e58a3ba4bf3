package ledger.support.auth;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import ledger.support.web.ApiException;
import ledger.support.web.ErrorResponses;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates every request but health, metrics and the buyer's hosted invoice page:
 * {@code /admin/**} with the admin token, the rest with a store's API key. The resulting {@link ApiPrincipal} is a request attribute that controllers
 * receive as a parameter; scope checks happen per handler ({@link RequiresScope}).
 */
public final class Authentication extends OncePerRequestFilter {

    static final String PRINCIPAL = ApiPrincipal.class.getName();
    private static final String CHECKOUT = "/checkout/";

    private final AccessRegistry registry;
    private final byte[] adminToken;
    private final ErrorResponses errors;

    public Authentication(AccessRegistry registry, String adminToken, ErrorResponses errors) {
        this.registry = registry;
        this.adminToken = adminToken == null || adminToken.isBlank() ? null : adminToken.getBytes(StandardCharsets.UTF_8);
        this.errors = errors;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return path.equals("/actuator") || path.startsWith("/actuator/") || isCheckoutPage(request);
    }

    /**
     * The buyer's hosted invoice page (SPEC §8): the token in its link is its only credential, checked by
     * its own handlers; an API key means nothing there, as the token means nothing on the API. Only a plain
     * path counts: Tomcat would route {@code /checkout/..;/v1/invoices} or an encoded dot elsewhere.
     */
    public static boolean isCheckoutPage(HttpServletRequest request) {
        String path = request.getRequestURI();
        return path.startsWith(CHECKOUT) && !path.contains("..") && !path.contains(";") && !path.contains("%");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String token = bearer(request);
        try {
            if (request.getRequestURI().startsWith("/admin/")) {
                requireAdmin(token);
            } else {
                request.setAttribute(PRINCIPAL, principal(token));
            }
        } catch (ApiException e) {
            errors.write(request, response, e);
            return;
        }
        chain.doFilter(request, response);
    }

    private void requireAdmin(String token) {
        if (adminToken == null || token == null
                || !MessageDigest.isEqual(adminToken, token.getBytes(StandardCharsets.UTF_8))) {
            throw unauthenticated("Invalid or missing admin token");
        }
    }

    private ApiPrincipal principal(String key) {
        if (key == null) {
            throw unauthenticated("No API key provided; send Authorization: Bearer sk_…");
        }
        if (!ApiKeys.isWellFormed(key)) {
            throw unauthenticated("Invalid API key provided");
        }
        var record = registry.keyByHash(ApiKeys.hash(key))
                .orElseThrow(() -> unauthenticated("Invalid API key provided: " + ApiKeys.redact(key)));
        return new ApiPrincipal(record.storeId(), record.keyId(), record.scopes(), record.livemode());
    }

    private static String bearer(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private static ApiException unauthenticated(String message) {
        return new ApiException(HttpStatus.UNAUTHORIZED, "unauthenticated", message);
    }
}
