package ledger.command.invoice.web;

import jakarta.servlet.http.HttpServletRequest;
import ledger.command.invoice.InvoiceRejected;
import ledger.support.web.ApiError;
import ledger.support.web.ApiException;
import ledger.support.web.ApiExceptionHandler;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Maps the aggregate's refusals and Axon's failures onto the §4.1 error model. */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class InvoiceErrors {

    private final ApiExceptionHandler api;

    InvoiceErrors(ApiExceptionHandler api) {
        this.api = api;
    }

    @ExceptionHandler(InvoiceRejected.class)
    ResponseEntity<ApiError> rejected(InvoiceRejected e, HttpServletRequest request) {
        return api.handle(toApi(e), request);
    }

    static ApiException toApi(InvoiceRejected e) {
        HttpStatus status = switch (e.code()) {
            case InvoiceRejected.NOT_FOUND -> HttpStatus.NOT_FOUND;
            case InvoiceRejected.CURRENCY_MISMATCH, InvoiceRejected.AMOUNT_TOO_LARGE,
                    InvoiceRejected.PARAMETER_INVALID -> HttpStatus.BAD_REQUEST;
            default -> HttpStatus.CONFLICT;
        };
        return new ApiException(status, e.code(), e.getMessage(), e.param());
    }

    @ExceptionHandler(AggregateNotFoundException.class)
    ResponseEntity<ApiError> missing(AggregateNotFoundException e, HttpServletRequest request) {
        return api.handle(ApiException.notFound("invoice"), request);
    }

    /**
     * The append itself failed (e.g. the database connection died mid-insert): nothing was committed,
     * so the merchant may retry — with the same Idempotency-Key or payment reference.
     */
    @ExceptionHandler(EventStoreException.class)
    ResponseEntity<ApiError> storeFailed(EventStoreException e, HttpServletRequest request) {
        return api.handle(ApiExceptionHandler.unavailable(), request);
    }

    /** Only reached when retries were exhausted under extreme contention on one invoice. */
    @ExceptionHandler(ConcurrencyException.class)
    ResponseEntity<ApiError> contended(ConcurrencyException e, HttpServletRequest request) {
        return api.handle(new ApiException(HttpStatus.CONFLICT, "concurrent_modification",
                "The invoice changed concurrently; retry the request with the same Idempotency-Key"), request);
    }
}
