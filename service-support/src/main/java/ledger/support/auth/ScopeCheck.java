package ledger.support.auth;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import ledger.support.web.ApiException;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Enforces {@link RequiresScope} before a handler runs, and hands the authenticated
 * {@link ApiPrincipal} to handler parameters of that type.
 */
public final class ScopeCheck implements HandlerInterceptor, HandlerMethodArgumentResolver {

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (handler instanceof HandlerMethod method) {
            RequiresScope required = method.getMethodAnnotation(RequiresScope.class);
            if (required != null) {
                var principal = (ApiPrincipal) request.getAttribute(Authentication.PRINCIPAL);
                if (principal == null || !principal.has(required.value())) {
                    throw new ApiException(HttpStatus.FORBIDDEN, "insufficient_scope",
                            "This API key lacks the " + required.value() + " scope");
                }
            }
        }
        return true;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == ApiPrincipal.class;
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer container,
                                  NativeWebRequest request, WebDataBinderFactory binderFactory) {
        Object principal = request.getAttribute(Authentication.PRINCIPAL, NativeWebRequest.SCOPE_REQUEST);
        if (principal == null) {
            throw new ApiException(HttpStatus.UNAUTHORIZED, "unauthenticated", "Authentication required");
        }
        return principal;
    }
}
