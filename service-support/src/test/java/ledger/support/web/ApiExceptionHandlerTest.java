package ledger.support.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.transaction.TransactionSystemException;

class ApiExceptionHandlerTest {

    private final ApiExceptionHandler handler = new ApiExceptionHandler(new ErrorResponses(new ObjectMapper()));
    private final MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/invoices/inv_1/payments");

    /** A library's own exception over a lost connection, as Axon's JdbcException is when PostgreSQL restarts. */
    static final class LibraryException extends RuntimeException {
        LibraryException(Throwable cause) {
            super("Failed to create a SQL statement", cause);
        }
    }

    @Test
    void storageFailingUnderAnotherLibrarysExceptionIsA503NotABug() {
        var answer = handler.bug(new LibraryException(new SQLException("FATAL: terminating connection", "57P01")), request);

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getBody().code()).isEqualTo("service_unavailable");
    }

    @Test
    void aFailedRollbackOnALostConnectionIsA503() {
        // Hikari's closed connection says so without an SQLState.
        var lost = new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed"));

        assertThat(handler.bug(lost, request).getStatusCode().value()).isEqualTo(503);
    }

    /** Seen in the crash suite: Axon reading the invoice back on a connection Hikari closed when PostgreSQL died. */
    @Test
    void aStatementOnAConnectionTheDatabaseTookAwayIsA503() {
        var lost = new LibraryException(new SQLException("Connection is closed"));

        assertThat(handler.bug(lost, request).getStatusCode().value()).isEqualTo(503);
    }

    @Test
    void aMistakeInSqlIsABugNotAnOutage() {
        var grammar = new BadSqlGrammarException("select", "SELECT state FROM idempotency_key",
                new SQLException("column \"state\" does not exist", "42703"));

        var answer = handler.bug(grammar, request);

        assertThat(answer.getStatusCode().value()).isEqualTo(500);
        assertThat(answer.getBody().code()).isEqualTo("internal_error");
    }

    @Test
    void anythingElseUnexpectedIsA500() {
        var answer = handler.bug(new IllegalStateException("a bug"), request);

        assertThat(answer.getStatusCode().value()).isEqualTo(500);
        assertThat(answer.getBody().code()).isEqualTo("internal_error");
    }
}
