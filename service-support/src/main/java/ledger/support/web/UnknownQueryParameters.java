package ledger.support.web;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.util.StringUtils;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.method.annotation.ModelAttributeMethodProcessor;
import org.springframework.web.method.annotation.RequestParamMapMethodArgumentResolver;
import org.springframework.web.method.annotation.RequestParamMethodArgumentResolver;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import org.springframework.web.servlet.support.RequestContextUtils;

/**
 * Refuses a query parameter the handler does not read with 400 {@code parameter_unknown} (SPEC §4.1), as
 * the JSON mapper refuses an unknown body field: {@code ?currency=JPY} on a list that cannot filter by
 * currency must not quietly answer every currency. A handler reads the names of its {@code @RequestParam}s
 * (all names, for a {@code @RequestParam Map} or a bound object) and those its own argument resolvers
 * report through {@link QueryParameterNames}. Which resolver reads a parameter is asked of Spring MVC's
 * own list, in its order, so the rule cannot drift from what the handler really receives. Only the query
 * string counts, never a form body.
 */
public final class UnknownQueryParameters implements HandlerInterceptor {

    /** What a handler method reads; a null set: any name (a parameter map). */
    private record Accepted(Set<String> names) {
        boolean accepts(String name) {
            return names == null || names.contains(name);
        }
    }

    private final DefaultParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();
    private final Map<Method, Accepted> accepted = new ConcurrentHashMap<>();

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        // The error page is dispatched with the failed request's query: it was judged already.
        if (!(handler instanceof HandlerMethod method) || request.getDispatcherType() == DispatcherType.ERROR) {
            return true;
        }
        var parameters = QueryString.parse(request.getQueryString());
        if (parameters.isEmpty()) {
            return true;
        }
        var names = accepted.computeIfAbsent(method.getMethod(), m -> accepted(method, resolvers(request)));
        for (var parameter : parameters) {
            if (!names.accepts(parameter.name())) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "parameter_unknown",
                        "Received unknown parameter: " + parameter.name(), parameter.name());
            }
        }
        return true;
    }

    private static List<HandlerMethodArgumentResolver> resolvers(HttpServletRequest request) {
        var resolvers = RequestContextUtils.findWebApplicationContext(request)
                .getBean(RequestMappingHandlerAdapter.class).getArgumentResolvers();
        return resolvers == null ? List.of() : resolvers;
    }

    private Accepted accepted(HandlerMethod method, List<HandlerMethodArgumentResolver> resolvers) {
        var names = new HashSet<String>();
        for (MethodParameter parameter : method.getMethodParameters()) {
            // The first resolver that supports a parameter is the one Spring MVC uses for it.
            var resolver = resolvers.stream().filter(r -> r.supportsParameter(parameter)).findFirst().orElse(null);
            if (resolver instanceof RequestParamMapMethodArgumentResolver
                    || resolver instanceof ModelAttributeMethodProcessor) {
                return new Accepted(null);
            } else if (resolver instanceof RequestParamMethodArgumentResolver) {
                names.add(requestParamName(parameter));
            } else if (resolver instanceof QueryParameterNames reader) {
                names.addAll(reader.queryParameterNames(parameter));
            }
        }
        return new Accepted(Set.copyOf(names));
    }

    private String requestParamName(MethodParameter parameter) {
        var annotation = parameter.getParameterAnnotation(RequestParam.class);
        if (annotation != null) {
            String name = StringUtils.hasText(annotation.name()) ? annotation.name() : annotation.value();
            if (StringUtils.hasText(name)) {
                return name;
            }
        }
        String[] names = parameterNames.getParameterNames(parameter.getMethod());
        return names[parameter.getParameterIndex()];
    }
}
