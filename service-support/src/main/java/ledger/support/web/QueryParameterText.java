package ledger.support.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a query parameter that is not valid text — NUL, invalid UTF-8, a lone surrogate — with 400
 * {@code parameter_invalid} before anything reads it: PostgreSQL cannot store or compare NUL, and the
 * container would otherwise silently drop or mangle the parameter (request bodies are held to the same
 * rule by the JSON mapper). Reads the raw query string only, never a body.
 */
public final class QueryParameterText extends OncePerRequestFilter {

    private final ErrorResponses errors;

    public QueryParameterText(ErrorResponses errors) {
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            QueryString.parse(request.getQueryString());
        } catch (ApiException e) {
            errors.write(request, response, e);
            return;
        }
        chain.doFilter(request, response);
    }
}
