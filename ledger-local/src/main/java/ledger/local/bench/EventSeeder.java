package ledger.local.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import ledger.events.EventId;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.Money;
import ledger.events.PaymentId;
import ledger.events.PaymentReceived;
import ledger.events.StoreId;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;

/**
 * Writes synthetic but valid ledger events straight into query-service's {@code query.ledger_event}
 * with COPY, as the projection would have stored them: an {@code InvoiceCreated} and a
 * {@code PaymentReceived} (alternately partial and full) per invoice, payloads written by
 * {@link LedgerJson} so a rebuild folds them like delivered ones.
 */
final class EventSeeder {

    private static final ObjectWriter WRITER = LedgerJson.mapper().writerFor(LedgerEvent.class);
    private static final Currency USD = Currency.getInstance("USD");
    private static final String COPY = "COPY query.ledger_event (event_id, invoice_id, store_id, sequence, type,"
            + " occurred_at, payload, global_position, position, status, currency, amount, amount_paid, amount_due,"
            + " due_date, expires_at, livemode) FROM STDIN WITH (FORMAT csv)";

    private EventSeeder() {
    }

    /** Seeds {@code events} events (rounded up to even) of {@code storeId}; returns how many were written. */
    static long seed(Connection connection, String storeId, long events) throws SQLException, IOException {
        long start;
        try (Statement statement = connection.createStatement();
             var rs = statement.executeQuery("SELECT coalesce(max(position), 0) FROM query.ledger_event")) {
            rs.next();
            // Far above anything the live stack will reach during the run, so positions stay unique.
            start = rs.getLong(1) + 1_000_000_000L;
        }
        StoreId store = new StoreId(storeId);
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        Money zero = Money.zero(USD);
        long invoices = (events + 1) / 2;
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
        StringBuilder chunk = new StringBuilder(1 << 20);
        long position = start;
        try {
            for (long i = 0; i < invoices; i++) {
                InvoiceId invoice = InvoiceId.generate();
                Instant created = base.plusMillis(i * 10);
                Money amount = new Money(BigDecimal.valueOf(1000 + i % 9000, 2), USD);
                InvoiceCreated c = new InvoiceCreated(EventId.generate(), invoice, store, 1, created, null, amount,
                        List.of(),
                        "order-" + i, "bench invoice", "buyer@example.com", Map.of("bench", "true"),
                        "http://localhost:8080/checkout/" + invoice.value(), null, null, null, null, false,
                        InvoiceStatus.OPEN, zero, amount);
                boolean full = i % 2 == 0;
                Money paid = full ? amount : new Money(amount.amount().subtract(BigDecimal.ONE), USD);
                Money due = new Money(amount.amount().subtract(paid.amount()), USD);
                Instant payAt = created.plusSeconds(5);
                PaymentReceived p = new PaymentReceived(EventId.generate(), invoice, store, 2, payAt,
                        PaymentId.generate(), paid, "bank-" + i, "bank_transfer", payAt,
                        full ? InvoiceStatus.PAID : InvoiceStatus.PARTIALLY_PAID, paid, due);
                row(chunk, c, position++, amount, null);
                row(chunk, p, position++, paid, null);
                if (chunk.length() > (1 << 20)) {
                    byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
                    copy.writeToCopy(bytes, 0, bytes.length);
                    chunk.setLength(0);
                }
            }
            byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            return copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private static void row(StringBuilder out, LedgerEvent e, long position, Money amount, String dueDate) {
        out.append(e.eventId().value()).append(',').append(e.invoiceId().value()).append(',')
                .append(e.storeId().value()).append(',').append(e.sequence()).append(',').append(e.type()).append(',')
                .append(e.occurredAt()).append(',');
        quoted(out, json(e));
        out.append(',').append(position).append(',').append(position).append(',').append(e.status().wireName())
                .append(',').append(e.amountPaid().currency().getCurrencyCode()).append(',')
                .append(amount.toPlainString()).append(',').append(e.amountPaid().toPlainString()).append(',')
                .append(e.amountDue().toPlainString()).append(',').append(dueDate == null ? "" : dueDate).append(",,false\n");
    }

    private static void quoted(StringBuilder out, String text) {
        out.append('"').append(text.replace("\"", "\"\"")).append('"');
    }

    static String json(LedgerEvent event) {
        try {
            return WRITER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
