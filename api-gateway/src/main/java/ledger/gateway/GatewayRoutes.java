package ledger.gateway;

import java.net.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.servlet.function.RequestPredicate;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.preserveHostHeader;
import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.uri;
import static org.springframework.cloud.gateway.server.mvc.handler.GatewayRouterFunctions.route;
import static org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctions.http;
import static org.springframework.web.servlet.function.RequestPredicates.GET;
import static org.springframework.web.servlet.function.RequestPredicates.POST;
import static org.springframework.web.servlet.function.RequestPredicates.all;
import static org.springframework.web.servlet.function.RequestPredicates.path;

/**
 * The route table (README.md repeats it). Routing is by path and method because one resource is
 * split across services: {@code GET /v1/invoices/x} is a read model, {@code POST
 * /v1/invoices/x/cancel} a command, {@code POST /v1/events/x/redeliver} a webhook resend.
 * {@code /actuator/**} is served by the gateway's own actuator, which is mapped before any route;
 * {@code GET /openapi.json} by the gateway itself ({@link ApiDescription}).
 */
@Configuration(proxyBeanMethods = false)
class GatewayRoutes {

    private static final Logger log = LoggerFactory.getLogger(GatewayRoutes.class);

    @Bean
    RouterFunction<ServerResponse> ledgerRoutes(GatewayProperties properties, ApiDescription description) {
        RequestPredicate commands = POST("/v1/invoices").or(POST("/v1/invoices/**"))
            .or(path("/admin/v1/stores"))
            .or(path("/admin/v1/stores/**"));
        RequestPredicate queries = GET("/v1/invoices").or(GET("/v1/invoices/**"))
            .or(GET("/v1/events"))
            .or(GET("/v1/events/**"))
            .or(GET("/v1/reports/**"))
            .or(GET("/v1/exports/**"))
            .or(path("/admin/v1/projections/**"));
        RequestPredicate webhooks = path("/v1/webhook_endpoints").or(path("/v1/webhook_endpoints/**"))
            .or(POST("/v1/events/{id}/redeliver"));
        // Unrouted requests get the house 404 here rather than falling through to Spring's
        // static-resource handler and error page.
        return proxy("command-service", commands, properties.commandUrl())
            .and(proxy("query-service", queries, properties.queryUrl()))
            .and(proxy("webhook-dispatcher", webhooks, properties.webhookUrl()))
            .and(RouterFunctions.route(GET(ApiDescription.PATH), description::serve))
            .and(RouterFunctions.route(all(), GatewayRoutes::notFound));
    }

    private static RouterFunction<ServerResponse> proxy(String backend, RequestPredicate predicate, URI url) {
        // TRACE and OPTIONS are never proxied (no browser calls this API, and the proxy cannot forward them
        // with a body): they fall through to the house 404.
        return route(backend).route(predicate.and(request -> !HttpMethod.TRACE.equals(request.method())
                && !HttpMethod.OPTIONS.equals(request.method())), http())
            .before(uri(url))
            // Backends then see the merchant's Host, so any absolute URL they build (Location)
            // points at the gateway rather than at an internal port.
            .before(preserveHostHeader())
            // Connection refused, or no answer within the timeouts: nothing has reached the merchant
            // yet, so a clean 503 they can retry (POSTs carry an Idempotency-Key) is still possible.
            // A backend failing mid-body can only cut the stream short.
            .onError(ResourceAccessException.class, (ex, request) -> unavailable(backend, ex, request))
            .build();
    }

    static ServerResponse notFound(ServerRequest request) {
        String message = "Unrecognized request URL (" + request.method() + ": " + request.path() + ")";
        return error(HttpStatus.NOT_FOUND, ApiError.of(message, "resource_missing", requestId(request)));
    }

    private static ServerResponse unavailable(String backend, Throwable ex, ServerRequest request) {
        String requestId = requestId(request);
        log.warn("{} unavailable for {} {} ({}): {}", backend, request.method(), request.path(), requestId,
                ex.getMessage());
        return error(HttpStatus.SERVICE_UNAVAILABLE, ApiError.of(
                "The service is temporarily unavailable; please retry shortly", "service_unavailable", requestId));
    }

    private static ServerResponse error(HttpStatus status, ApiError body) {
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON).body(body.json());
    }

    private static String requestId(ServerRequest request) {
        return RequestIdFilter.of(request.servletRequest());
    }

}
