package ledger.support.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.servlet.http.HttpServletRequest;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageConversionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Maps every failure to the §4.1 error body. Client mistakes — unreadable JSON, wrong types, unknown
 * fields, oversize bodies — are 4xx with a machine code; only a genuine bug is a 500, and then
 * without internals in the body.
 */
@RestControllerAdvice
public class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    private final ErrorResponses errors;

    public ApiExceptionHandler(ErrorResponses errors) {
        this.errors = errors;
    }

    @ExceptionHandler(ApiException.class)
    public ResponseEntity<ApiError> handle(ApiException e, HttpServletRequest request) {
        // An explicit content type skips negotiation: errors are JSON whatever the client's Accept says.
        return ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_JSON).body(errors.body(request, e));
    }

    /** Jackson failures that are not parse errors, e.g. a duplicate key in a one-field body. */
    @ExceptionHandler(HttpMessageConversionException.class)
    ResponseEntity<ApiError> unconvertible(HttpMessageConversionException e, HttpServletRequest request) {
        return handle(new ApiException(HttpStatus.BAD_REQUEST, "invalid_json",
                "Request body could not be read as this operation's JSON"), request);
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ApiError> multipart(MultipartException e, HttpServletRequest request) {
        return handle(new ApiException(HttpStatus.BAD_REQUEST, "unsupported_media_type",
                "Send the body as application/json"), request);
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ApiError> notAcceptable(HttpMediaTypeNotAcceptableException e, HttpServletRequest request) {
        return handle(new ApiException(HttpStatus.NOT_ACCEPTABLE, "not_acceptable",
                "This resource is available as application/json" + (request.getRequestURI().startsWith("/v1/exports")
                        ? ", application/x-ndjson or text/csv" : "")), request);
    }

    /** The database or a connection to it is away (see {@link #isStorageOutage}): retryable, so 503. */
    ResponseEntity<ApiError> unavailable(Exception e, HttpServletRequest request) {
        log.warn("Storage unavailable on {} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
        return handle(unavailable(), request);
    }

    /** What Hikari's proxy of a connection it closed answers every statement with. */
    private static final String HIKARI_CLOSED_CONNECTION = "Connection is closed";

    /**
     * Whether storage being away is underneath {@code failure}, whatever wraps it (Spring's translation,
     * Axon's JdbcException): Spring's transient and resource-failure exceptions, a commit or rollback that
     * failed in JDBC, a statement on a connection Hikari already closed because the database went away
     * ("Connection is closed", without an SQLState — PostgreSQL's own errors always carry one), and
     * SQLStates of a lost or refused connection (08), a server shutting down or crashed (57) or out of
     * resources (53). A programming error in SQL (bad grammar, a violated constraint) stays a bug.
     */
    public static boolean isStorageOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TransientDataAccessException || t instanceof DataAccessResourceFailureException
                    || t instanceof CannotCreateTransactionException || t instanceof TransactionSystemException
                    || t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57")
                    || sql.getSQLState().startsWith("53"))) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() == null
                    && HIKARI_CLOSED_CONNECTION.equals(sql.getMessage())) {
                return true;
            }
        }
        return false;
    }

    public static ApiException unavailable() {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "service_unavailable",
                "The service is temporarily unavailable; retry shortly (with the same Idempotency-Key)");
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ApiError> unreadable(HttpMessageNotReadableException e, HttpServletRequest request) {
        return handle(translate(e), request);
    }

    static ApiException translate(HttpMessageNotReadableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodySizeLimit.TooLarge tooLarge) {
                return BodySizeLimit.readFailure(tooLarge);
            }
            if (t instanceof ApiException api) {
                return api;
            }
        }
        Throwable cause = e.getCause();
        if (cause instanceof UnrecognizedPropertyException unknown) {
            String param = path(unknown);
            return new ApiException(HttpStatus.BAD_REQUEST, "parameter_unknown",
                    "Received unknown parameter: " + param, param);
        }
        if (cause instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String param = path(mapping);
            Throwable root = mapping.getCause() instanceof IllegalArgumentException iae ? iae : null;
            String reason = root != null && root.getMessage() != null ? root.getMessage() : "has the wrong type or format";
            return new ApiException(HttpStatus.BAD_REQUEST, "parameter_invalid", "Invalid " + param + ": " + reason, param,
                    List.of(new ApiError.Detail(param, reason)));
        }
        if (cause instanceof JsonProcessingException) {
            return new ApiException(HttpStatus.BAD_REQUEST, "invalid_json", "Request body is not valid JSON");
        }
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_json", "Request body is missing or unreadable");
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ApiError> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        return handle(ApiException.invalid(e.getName(), "Invalid value for " + e.getName()), request);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ApiError> missingParam(MissingServletRequestParameterException e, HttpServletRequest request) {
        return handle(new ApiException(HttpStatus.BAD_REQUEST, "parameter_missing",
                "Missing required parameter: " + e.getParameterName(), e.getParameterName()), request);
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ResponseEntity<ApiError> missingHeader(MissingRequestHeaderException e, HttpServletRequest request) {
        return handle(new ApiException(HttpStatus.BAD_REQUEST, "header_missing",
                "Missing required header: " + e.getHeaderName(), e.getHeaderName()), request);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ApiError> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        return handle(new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                "Send the body as application/json"), request);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ApiError> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        // §4.1: a known path with the wrong method names the methods it takes.
        var answer = handle(new ApiException(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                e.getMethod() + " is not allowed here"), request);
        return e.getSupportedHttpMethods() == null ? answer
                : ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders())
                        .allow(e.getSupportedHttpMethods().toArray(HttpMethod[]::new)).body(answer.getBody());
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ApiError> noRoute(NoResourceFoundException e, HttpServletRequest request) {
        return handle(new ApiException(HttpStatus.NOT_FOUND, "resource_missing", "Unrecognized request URL"), request);
    }

    /**
     * Anything else is a bug — unless storage failed underneath a library's own exception type (say,
     * Axon's JdbcException over an SQLException when PostgreSQL restarts mid-request): that is a 503.
     */
    @ExceptionHandler(Exception.class)
    ResponseEntity<ApiError> bug(Exception e, HttpServletRequest request) {
        if (isStorageOutage(e)) {
            return unavailable(e, request);
        }
        log.error("Unhandled error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return handle(new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
                "Something went wrong on our side; the request id helps us find it"), request);
    }
}
