package ledger.command.invoice;

import jakarta.servlet.http.HttpServletRequest;
import ledger.events.InvoiceCreated;
import ledger.support.idempotency.Idempotency;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Invoice numbers (SPEC §4.2): {@code <prefix>-<6+ digits>}, one sequence per store and mode, without gaps. The
 * event store gives a new invoice its number as the create's transaction commits, and writes it into the stored
 * {@code InvoiceCreated} ({@code V6__invoice_numbers.sql} says how and why); the command itself leaves it null.
 */
@Component
public class InvoiceNumbers {

    private static final String NUMBER = """
            SELECT convert_from(payload, 'UTF8')::json ->> 'number' FROM domain_event_entry
            WHERE aggregate_identifier = ? AND sequence_number = 0""";

    private final JdbcTemplate jdbc;

    InvoiceNumbers(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The invoice this request just created, as its answer shows it. Without an {@code Idempotency-Key} the create
     * has committed: its number is read. Under a key the request's transaction, which keeps the answer, is still
     * open: the answer goes with {@code "number": null}, and as the transaction commits, right after the event gets
     * its number, {@code V1004_1__kept_answer_numbered_at_commit.sql} writes that number into the kept answer, which is
     * what the client is sent. Taking the number before the commit would hold the store's numbering lock across
     * the rest of the request, and every keyed create of the store would queue behind it.
     */
    public InvoiceCreated numbered(InvoiceCreated appended, HttpServletRequest request) {
        if (Idempotency.answerCompletedAtCommit(request)) {
            return appended;
        }
        return appended.withNumber(jdbc.queryForObject(NUMBER, String.class, appended.invoiceId().value()));
    }
}
