package ledger.gateway;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replaces Spring Boot's error page so that whatever still reaches the servlet error path (a
 * request Tomcat rejects, an unexpected exception) is answered in the house error shape too.
 */
@RestController
class GatewayErrorController implements ErrorController {

    @RequestMapping("${server.error.path:${error.path:/error}}")
    ResponseEntity<String> error(HttpServletRequest request) {
        // No status means someone requested /error directly: it is not a resource.
        HttpStatus status = (request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code)
                ? HttpStatus.resolve(code) : HttpStatus.NOT_FOUND;
        if (status == null) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = (uri != null) ? uri.toString() : request.getRequestURI();
        ApiError body = switch (status) {
            case NOT_FOUND -> ApiError.of("Unrecognized request URL (" + request.getMethod() + ": " + path + ")",
                    "resource_missing", RequestIdFilter.of(request));
            case METHOD_NOT_ALLOWED -> ApiError.of("Method " + request.getMethod() + " is not allowed on " + path,
                    "method_not_allowed", RequestIdFilter.of(request));
            case SERVICE_UNAVAILABLE -> ApiError.of("The service is temporarily unavailable; please retry shortly",
                    "service_unavailable", RequestIdFilter.of(request));
            default -> status.is4xxClientError()
                    ? ApiError.of("The request could not be processed", "invalid_request", RequestIdFilter.of(request))
                    : ApiError.of("Something went wrong in the gateway", "internal_error", RequestIdFilter.of(request));
        };
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body.json());
    }

}
