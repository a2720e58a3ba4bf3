package ledger.gateway;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.servlet.function.RequestPredicate;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.preserveHostHeader;
import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.uri;
import static org.springframework.cloud.gateway.server.mvc.handler.GatewayRouterFunctions.route;
import static org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctions.http;
import static org.springframework.web.servlet.function.RequestPredicates.GET;
import static org.springframework.web.servlet.function.RequestPredicates.all;

/**
 * The route table is the API document: each documented operation (method and path template) goes to
 * the service its {@code x-ledger-service} names, and nothing else is proxied — so the document, the
 * routes and the {@code Allow} header cannot drift apart, and no backend's {@code /actuator} is ever
 * reachable from outside. Routing is by path and method because one resource is split across services:
 * {@code GET /v1/invoices/x} is a read model, {@code POST /v1/invoices/x/cancel} a command,
 * {@code POST /v1/events/x/redeliver} a webhook resend.
 * {@code GET /openapi.json} and the public {@code GET /actuator/health} are the gateway's own.
 * The buyer's hosted invoice page ({@link #CHECKOUT}) is routed too, though it is no part of the merchant
 * API and so not in its document.
 */
@Configuration(proxyBeanMethods = false)
class GatewayRoutes {

    static final String GATEWAY = "api-gateway";

    /**
     * The hosted invoice page (SPEC §8): query-service renders it, its status, PDFs and assets;
     * command-service takes its test-mode simulate-payment form. The token in the path is its only
     * credential, checked by the services.
     */
    static final List<ApiDescription.Operation> CHECKOUT = List.of(
            new ApiDescription.Operation(HttpMethod.GET, "/checkout/**", "query-service"),
            new ApiDescription.Operation(HttpMethod.POST, "/checkout/{token}/payments", "command-service"));

    private static final Logger log = LoggerFactory.getLogger(GatewayRoutes.class);

    @Bean
    RouterFunction<ServerResponse> ledgerRoutes(GatewayProperties properties, ApiDescription description,
            PublicHealth health) {
        Map<String, URI> backends = Map.of("command-service", properties.commandUrl(), "query-service",
                properties.queryUrl(), "webhook-dispatcher", properties.webhookUrl());
        List<ApiDescription.Operation> operations = new ArrayList<>(description.operations());
        operations.addAll(CHECKOUT);
        Map<String, RequestPredicate> routed = new LinkedHashMap<>();
        for (ApiDescription.Operation operation : operations) {
            if (operation.path().startsWith("/actuator")) {
                throw new IllegalStateException("The API document must not route " + operation.path()
                        + ": a service's actuator is internal");
            }
            if (!operation.service().equals(GATEWAY) && !backends.containsKey(operation.service())) {
                throw new IllegalStateException(operation.method() + " " + operation.path()
                        + " names no known service: " + operation.service());
            }
            RequestPredicate predicate = RequestPredicates.method(operation.method())
                .and(RequestPredicates.path(operation.path()));
            routed.merge(operation.service(), predicate, RequestPredicate::or);
        }
        RouterFunction<ServerResponse> routes = RouterFunctions.route(GET(ApiDescription.PATH), description::serve)
            .and(RouterFunctions.route(GET(PublicHealth.PATH), health::serve));
        for (Map.Entry<String, URI> backend : backends.entrySet()) {
            RequestPredicate predicate = routed.get(backend.getKey());
            if (predicate != null) {
                routes = routes.and(proxy(backend.getKey(), predicate, backend.getValue()));
            }
        }
        // Unrouted requests get the house 405 or 404 here rather than falling through to Spring's
        // static-resource handler and error page.
        Map<PathPattern, Set<String>> methodsByPath = new LinkedHashMap<>();
        operations.forEach(operation -> methodsByPath
            .computeIfAbsent(PathPatternParser.defaultInstance.parse(operation.path()), path -> new TreeSet<>())
            .add(operation.method().name()));
        return routes.and(RouterFunctions.route(all(), request -> unrouted(request, methodsByPath)));
    }

    private static RouterFunction<ServerResponse> proxy(String backend, RequestPredicate predicate, URI url) {
        return route(backend).route(predicate, http())
            .filter(new BackendLimits())
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

    /** A known path with a method it does not take is a 405 naming those it does (SPEC §4.1); else a 404. */
    private static ServerResponse unrouted(ServerRequest request, Map<PathPattern, Set<String>> methodsByPath) {
        Set<String> allowed = new TreeSet<>();
        methodsByPath.forEach((path, methods) -> {
            if (path.matches(request.requestPath().pathWithinApplication())) {
                allowed.addAll(methods);
            }
        });
        if (allowed.isEmpty()) {
            return notFound(request);
        }
        String message = "Method " + request.method() + " is not allowed on " + request.path() + "; use "
                + String.join(", ", allowed);
        return ServerResponse.status(HttpStatus.METHOD_NOT_ALLOWED)
            .header(HttpHeaders.ALLOW, String.join(", ", allowed))
            .contentType(MediaType.APPLICATION_JSON)
            .body(ApiError.of(message, "method_not_allowed", requestId(request)).json());
    }

    private static ServerResponse notFound(ServerRequest request) {
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

    static ServerResponse error(HttpStatus status, ApiError body) {
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON).body(body.json());
    }

    private static String requestId(ServerRequest request) {
        return RequestIdFilter.of(request.servletRequest());
    }

}
