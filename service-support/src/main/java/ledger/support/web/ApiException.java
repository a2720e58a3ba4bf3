package ledger.support.web;

import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * A request the API refuses, with the machine {@code code} clients branch on. Thrown anywhere in a
 * request; {@link ApiExceptionHandler} turns it into the §4.1 error body.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final String param;
    private final List<ApiError.Detail> details;

    public ApiException(HttpStatus status, String code, String message) {
        this(status, code, message, null, List.of());
    }

    public ApiException(HttpStatus status, String code, String message, String param) {
        this(status, code, message, param, param == null ? List.of() : List.of(new ApiError.Detail(param, message)));
    }

    public ApiException(HttpStatus status, String code, String message, String param, List<ApiError.Detail> details) {
        super(message);
        this.status = status;
        this.code = code;
        this.param = param;
        this.details = List.copyOf(details);
    }

    public static ApiException invalid(String param, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "parameter_invalid", message, param);
    }

    public static ApiException notFound(String what) {
        return new ApiException(HttpStatus.NOT_FOUND, "resource_missing", "No such " + what);
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }

    public List<ApiError.Detail> details() {
        return details;
    }
}
