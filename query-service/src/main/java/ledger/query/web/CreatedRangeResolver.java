package ledger.query.web;

import java.util.List;
import java.util.Set;
import ledger.support.web.QueryParameterNames;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Binds a {@link CreatedRange} handler parameter from the four {@code created[…]} query parameters, so
 * every list endpoint reads and validates the filter the same way; names them for the unknown-parameter check.
 */
@Configuration
class CreatedRangeResolver implements HandlerMethodArgumentResolver, WebMvcConfigurer, QueryParameterNames {

    static final String GTE = "created[gte]";
    static final String GT = "created[gt]";
    static final String LTE = "created[lte]";
    static final String LT = "created[lt]";

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(this);
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == CreatedRange.class;
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer container, NativeWebRequest request,
                                  WebDataBinderFactory binderFactory) {
        return CreatedRange.of(request.getParameter(GTE), request.getParameter(GT), request.getParameter(LTE),
                request.getParameter(LT));
    }

    @Override
    public Set<String> queryParameterNames(MethodParameter parameter) {
        return supportsParameter(parameter) ? Set.of(GTE, GT, LTE, LT) : Set.of();
    }
}
