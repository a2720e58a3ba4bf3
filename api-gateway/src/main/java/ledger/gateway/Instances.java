package ledger.gateway;

import java.net.ConnectException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.cloud.gateway.server.mvc.common.MvcUtils;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The instances of one service: requests take them in turn, and a request that could not even connect to
 * one (killed, not started yet) goes to the next, so a merchant is answered as long as one instance lives.
 * Only a failed connect moves a request on: the backend then never saw it. Once the request was sent — a
 * reset, a read timeout — a POST may already have run, so the failure is the merchant's 503 to retry with
 * the same {@code Idempotency-Key}, never a silent second attempt here.
 * <p>
 * Hand-written rather than Spring Cloud LoadBalancer plus the gateway's retry filter: that retry filter
 * retries on any {@code IOException}, including those after the request was sent, and the load balancer
 * brings a discovery client and a cache for a list that never changes.
 */
final class Instances {

    private static final Logger log = LoggerFactory.getLogger(Instances.class);

    private final String service;

    private final List<URI> urls;

    private final AtomicInteger next = new AtomicInteger();

    Instances(String service, List<URI> urls) {
        this.service = service;
        this.urls = List.copyOf(urls);
    }

    /** The gateway's proxy handler, sent to one instance after another until one accepts the connection. */
    HandlerFunction<ServerResponse> proxy(HandlerFunction<ServerResponse> exchange) {
        return request -> {
            int first = this.next.getAndIncrement();
            ResourceAccessException refused = null;
            for (int i = 0; i < this.urls.size(); i++) {
                URI url = this.urls.get(Math.floorMod(first + i, this.urls.size()));
                MvcUtils.setRequestUrl(request, url);
                try {
                    return exchange.handle(request);
                }
                catch (ResourceAccessException ex) {
                    if (!neverSent(ex)) {
                        throw ex;
                    }
                    log.debug("{} instance {} refused {} {}: {}", this.service, url, request.method(), request.path(),
                            ex.getMessage());
                    refused = ex;
                }
            }
            throw refused;
        };
    }

    /** Refused or timed out while connecting: no byte of the request reached the backend. */
    static boolean neverSent(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof ConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

}
