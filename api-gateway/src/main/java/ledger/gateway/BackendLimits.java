package ledger.gateway;

import java.util.Collections;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.function.HandlerFilterFunction;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Refuses, in the house shape, what a backend would refuse in its own way. The gateway's Tomcat takes up to
 * 64 KiB of request line and headers ({@code server.max-http-request-header-size}) so that it sees such
 * requests at all; the services take 8 KiB, and their Tomcat would answer an oversize request with a bare
 * 400. An {@code Authorization} longer than any key or token the ledger issues cannot authenticate, so it is
 * the 401 any unknown credential gets rather than a complaint about size.
 */
final class BackendLimits implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    /** Far above the ledger's API keys and any sensible admin token. */
    static final int MAX_CREDENTIAL = 4096;

    /** The services' 8 KiB, less room for the {@code X-Forwarded-*} headers the proxy adds. */
    static final int MAX_REQUEST_HEAD = 7 * 1024;

    @Override
    public ServerResponse filter(ServerRequest request, HandlerFunction<ServerResponse> next) throws Exception {
        HttpServletRequest servlet = request.servletRequest();
        String requestId = RequestIdFilter.of(servlet);
        for (String credential : Collections.list(servlet.getHeaders(HttpHeaders.AUTHORIZATION))) {
            if (credential.length() > MAX_CREDENTIAL) {
                return GatewayRoutes.error(HttpStatus.UNAUTHORIZED, ApiError.of(
                        "The Authorization header holds no valid API key or admin token", "unauthenticated",
                        requestId));
            }
        }
        if (headSize(servlet) > MAX_REQUEST_HEAD) {
            return GatewayRoutes.error(HttpStatus.BAD_REQUEST, ApiError.of("The request line and headers are over "
                    + MAX_REQUEST_HEAD / 1024 + " KiB", "invalid_request", requestId));
        }
        return next.handle(request);
    }

    /** Roughly the bytes of the request line and headers as they would be forwarded. */
    private static int headSize(HttpServletRequest request) {
        String query = request.getQueryString();
        int size = request.getMethod().length() + request.getRequestURI().length()
                + ((query != null) ? 1 + query.length() : 0) + "  HTTP/1.1\r\n".length();
        for (String name : Collections.list(request.getHeaderNames())) {
            for (String value : Collections.list(request.getHeaders(name))) {
                size += name.length() + value.length() + ": \r\n".length();
            }
        }
        return size;
    }

}
