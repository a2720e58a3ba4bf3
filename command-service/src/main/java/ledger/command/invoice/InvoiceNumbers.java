package ledger.command.invoice;

import ledger.events.InvoiceId;
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
     * The number of an invoice whose create has committed. A create under an {@code Idempotency-Key} has not when its
     * handler answers: its kept answer is numbered as it commits ({@code V1004_1__kept_answer_numbered_at_commit.sql}).
     */
    public String numberOf(InvoiceId invoice) {
        return jdbc.queryForObject(NUMBER, String.class, invoice.value());
    }
}
