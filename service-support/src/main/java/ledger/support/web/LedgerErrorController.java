package ledger.support.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Replaces Spring Boot's whitelabel {@code /error}: what fails outside a controller — a filter that
 * lost its database, the container refusing a request — still answers in the §4.1 JSON shape, with
 * 503 when storage is away, and never with HTML or a stack trace.
 */
@Controller // a bean without it is not a handler: /error would be unmapped and every error a 404
public class LedgerErrorController implements ErrorController {

    private static final Logger log = LoggerFactory.getLogger(LedgerErrorController.class);

    private final ErrorResponses errors;

    public LedgerErrorController(ErrorResponses errors) {
        this.errors = errors;
    }

    @RequestMapping("${server.error.path:/error}")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Throwable failure = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        HttpStatus status = HttpStatus.resolve(code instanceof Integer i ? i : 500);
        ApiException answer;
        if (ApiExceptionHandler.isStorageOutage(failure)) {
            log.warn("Storage unavailable on {}: {}", request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI),
                    failure.toString());
            answer = ApiExceptionHandler.unavailable();
        } else if (status == null || status.is5xxServerError()) {
            log.error("Unhandled error on {}", request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI), failure);
            answer = new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
                    "Something went wrong on our side; the request id helps us find it");
        } else if (status == HttpStatus.NOT_FOUND) {
            answer = new ApiException(status, "resource_missing", "Unrecognized request URL");
        } else if (status == HttpStatus.METHOD_NOT_ALLOWED) {
            // The container's own refusals (TRACE); it has set Allow.
            answer = new ApiException(status, "method_not_allowed", "This method is not allowed here");
        } else {
            answer = new ApiException(status, "invalid_request", "The request could not be processed");
        }
        if (!response.isCommitted()) {
            response.resetBuffer();
            errors.write(request, response, answer);
        }
    }
}
