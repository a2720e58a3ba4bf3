package ledger.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import ledger.support.auth.RequiresScope;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Holds a service's real request handlers against the operations the OpenAPI document routes to that
 * service, both ways: no handler is undocumented, no documented operation is missing, and each
 * handler's {@link RequiresScope} is the scope the document names (none for admin operations).
 */
public final class HandlerContract {

    /** Not part of the merchant API: Spring's error page, the actuator and the buyer's hosted page (SPEC §8). */
    private static final List<String> EXCLUDED = List.of("/error", "/actuator", "/checkout");

    /** One real handler: upper-case method ({@code ANY} when it accepts every method), path, scope or null. */
    public record Handler(String method, String path, String scope, String handler) {

        public String route() {
            return method + " " + OpenApiDocument.normalise(path);
        }
    }

    private HandlerContract() {
    }

    /** Every (method, path) a service answers, with the scope its handler requires. */
    public static List<Handler> handlers(RequestMappingHandlerMapping mapping) {
        var handlers = new ArrayList<Handler>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> entry : mapping.getHandlerMethods().entrySet()) {
            RequestMappingInfo info = entry.getKey();
            HandlerMethod method = entry.getValue();
            RequiresScope scope = method.getMethodAnnotation(RequiresScope.class);
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            for (String path : info.getPatternValues()) {
                if (EXCLUDED.stream().anyMatch(excluded -> path.equals(excluded) || path.startsWith(excluded + "/"))) {
                    continue;
                }
                if (methods.isEmpty()) {
                    handlers.add(new Handler("ANY", path, scope == null ? null : scope.value(), method.toString()));
                }
                for (RequestMethod m : methods) {
                    handlers.add(new Handler(m.name(), path, scope == null ? null : scope.value(), method.toString()));
                }
            }
        }
        return handlers;
    }

    /**
     * Fails, listing every difference at once, unless the handlers of {@code mapping} are exactly the
     * operations {@code document} routes to {@code service}, with the same scopes.
     */
    public static void assertMatches(OpenApiDocument document, String service, RequestMappingHandlerMapping mapping) {
        var documented = new TreeMap<String, OpenApiDocument.Operation>();
        document.operationsOf(service).forEach(o -> documented.put(o.route(), o));
        var implemented = new TreeMap<String, Handler>();
        handlers(mapping).forEach(h -> implemented.put(h.route(), h));
        if (documented.isEmpty()) {
            throw new AssertionError("The document routes no operation to " + service);
        }

        var problems = new ArrayList<String>();
        var undocumented = new TreeSet<>(implemented.keySet());
        undocumented.removeAll(documented.keySet());
        undocumented.forEach(route -> problems.add("undocumented: " + route + " (" + implemented.get(route).handler()
                + ")"));
        var missing = new TreeSet<>(documented.keySet());
        missing.removeAll(implemented.keySet());
        missing.forEach(route -> problems.add("documented for " + service + " but not implemented: " + route));
        documented.forEach((route, operation) -> {
            Handler handler = implemented.get(route);
            if (handler != null && !java.util.Objects.equals(handler.scope(), operation.scope())) {
                problems.add(route + ": the document requires scope " + operation.scope() + ", the handler @RequiresScope "
                        + handler.scope());
            }
        });
        if (!problems.isEmpty()) {
            throw new AssertionError(service + " and " + document.file() + " disagree:\n  "
                    + String.join("\n  ", problems));
        }
    }
}
