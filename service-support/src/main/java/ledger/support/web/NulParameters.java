package ledger.support.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a query parameter containing the NUL character with 400 {@code parameter_invalid}: PostgreSQL
 * cannot store or compare it, so it must not reach a query (request bodies are refused by the JSON
 * mapper for the same reason). Reads the raw query string only, never a body.
 */
public final class NulParameters extends OncePerRequestFilter {

    private final ErrorResponses errors;

    public NulParameters(ErrorResponses errors) {
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String param = withNul(request.getQueryString());
        if (param != null) {
            errors.write(request, response, ApiException.invalid(param, param + " must not contain the NUL character"));
            return;
        }
        chain.doFilter(request, response);
    }

    /** The name of the first parameter whose name or value holds a NUL, or null. */
    static String withNul(String query) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            if (pair.toLowerCase(Locale.ROOT).contains("%00") || pair.indexOf('\0') >= 0) {
                String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                try {
                    return URLDecoder.decode(name, StandardCharsets.UTF_8).replace("\0", "\\u0000");
                } catch (IllegalArgumentException e) {
                    return name.replace("\0", "\\u0000");
                }
            }
        }
        return null;
    }
}
