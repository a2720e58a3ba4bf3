package ledger.gateway;

import ledger.events.Ids;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an {@code X-Request-Id} before anything else runs, so the backends, the
 * gateway's own error bodies and the merchant all see the same id. A merchant's id is kept when it
 * is a well-formed {@code req_…} id (1–64 base62 characters after the prefix); anything else is
 * replaced, because the services' own request-id filter (service-support {@code RequestIds})
 * would replace it anyway and the merchant would then see two different ids for one request.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdFilter extends OncePerRequestFilter {

    static final String HEADER = "X-Request-Id";

    // An attribute, not just the header: an error dispatch sees the container's request, not
    // the wrapper that carries a generated id.
    private static final String ATTRIBUTE = RequestIdFilter.class.getName() + ".id";

    /** The same {@code req_…} rule the services apply, so one id follows a request everywhere. */
    static String generate() {
        return Ids.random("req_");
    }

    static boolean isWellFormed(String id) {
        return Ids.isWellFormed(id, "req_");
    }

    static String of(HttpServletRequest request) {
        Object id = request.getAttribute(ATTRIBUTE);
        return (id != null) ? id.toString() : null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String incoming = request.getHeader(HEADER);
        boolean generated = !isWellFormed(incoming);
        String id = generated ? generate() : incoming;
        request.setAttribute(ATTRIBUTE, id);
        response.setHeader(HEADER, id);
        chain.doFilter(generated ? new WithRequestId(request, id) : request, new SingleRequestId(response));
    }

    /** Puts the generated id in place of whatever the client sent, so the proxy forwards it. */
    private static final class WithRequestId extends HttpServletRequestWrapper {

        private final String id;

        WithRequestId(HttpServletRequest request, String id) {
            super(request);
            this.id = id;
        }

        @Override
        public String getHeader(String name) {
            return HEADER.equalsIgnoreCase(name) ? this.id : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return HEADER.equalsIgnoreCase(name) ? Collections.enumeration(List.of(this.id)) : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>(Collections.list(super.getHeaderNames()));
            names.removeIf(HEADER::equalsIgnoreCase);
            names.add(HEADER);
            return Collections.enumeration(names);
        }

    }

    /**
     * The proxy copies a backend's echoed {@code X-Request-Id} with {@code addHeader}; without this
     * the merchant would get the header twice (ours and the echo).
     */
    private static final class SingleRequestId extends HttpServletResponseWrapper {

        SingleRequestId(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void addHeader(String name, String value) {
            if (HEADER.equalsIgnoreCase(name)) {
                super.setHeader(name, value);
            }
            else {
                super.addHeader(name, value);
            }
        }

    }

}
