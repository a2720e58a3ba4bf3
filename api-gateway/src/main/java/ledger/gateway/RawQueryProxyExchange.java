package ledger.gateway;

import java.net.URI;
import java.net.URISyntaxException;

import org.springframework.cloud.gateway.server.mvc.handler.ProxyExchange;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Forwards the merchant's query string byte for byte. The gateway's handler rebuilds the query
 * from decoded servlet parameters and re-encodes it ({@code as_of=…T00:00:00Z} would arrive as
 * {@code T00%3A00%3A00Z}, a bare {@code flag} as {@code flag=}); the decoded values are equal, but
 * the promise is "unchanged". The one exception is raw {@code [ ]} (accepted here so merchants
 * can write {@code created[gte]=…}): they are percent-encoded, because the backends' Tomcat
 * rejects them unencoded.
 */
class RawQueryProxyExchange implements ProxyExchange {

    private final ProxyExchange delegate;

    RawQueryProxyExchange(ProxyExchange delegate) {
        this.delegate = delegate;
    }

    @Override
    public ServerResponse exchange(Request request) {
        URI uri = withRawQuery(request.getUri(), request.getServerRequest().servletRequest().getQueryString());
        if (uri.equals(request.getUri())) {
            return this.delegate.exchange(request);
        }
        RequestBuilder copy = this.delegate.request(request.getServerRequest())
            .method(request.getMethod())
            .uri(uri)
            .headers(request.getHeaders());
        request.getResponseConsumers().forEach(copy::responseConsumer);
        return this.delegate.exchange(copy.build());
    }

    static URI withRawQuery(URI target, String rawQuery) {
        // No query sent means none forwarded, even if the servlet found parameters in a form body.
        String query = (rawQuery != null) ? "?" + rawQuery.replace("[", "%5B").replace("]", "%5D") : "";
        try {
            return new URI(target.getScheme() + "://" + target.getRawAuthority() + target.getRawPath() + query);
        }
        // Cannot happen for a query Tomcat accepted; the gateway's re-encoded form is still correct.
        catch (URISyntaxException ex) {
            return target;
        }
    }

}
