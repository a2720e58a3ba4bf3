package ledger.support.web;

import java.util.Set;
import org.springframework.core.MethodParameter;

/**
 * Implemented by an argument resolver that reads query parameters by itself (not through
 * {@code @RequestParam}), so that the unknown-query-parameter check (SPEC §4.1: an unknown parameter is a
 * 400 {@code parameter_unknown}) knows which names the handler accepts.
 */
public interface QueryParameterNames {

    /** The query parameter names this resolver reads for {@code parameter}. */
    Set<String> queryParameterNames(MethodParameter parameter);
}
