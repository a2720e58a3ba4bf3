package ledger.query.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Currency;
import ledger.events.Money;

/**
 * One stored event as the API shows it:
 * {@code {"id","object":"event","type","invoice","sequence","created_at","data":{the event as on the ledger}}}.
 * {@code created_at} is the event's {@code occurred_at}; {@code data} is the ledger's JSON verbatim.
 */
record EventRow(String id, String type, String invoice, long sequence, Instant createdAt, String data,
                String status, String currency, BigDecimal amount, BigDecimal amountPaid, BigDecimal amountDue) {

    static final String COLUMNS = "event_id, type, invoice_id, sequence, occurred_at, payload::text, status, currency,"
            + " amount, amount_paid, amount_due";
    static final JsonFactory JSON = new JsonFactory();

    static EventRow read(ResultSet rs) throws SQLException {
        return new EventRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                rs.getObject(5, OffsetDateTime.class).toInstant(), rs.getString(6), rs.getString(7),
                rs.getString(8), rs.getBigDecimal(9), rs.getBigDecimal(10), rs.getBigDecimal(11));
    }

    void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "event");
        g.writeStringField("type", type);
        g.writeStringField("invoice", invoice);
        g.writeNumberField("sequence", sequence);
        g.writeStringField("created_at", createdAt.toString());
        g.writeFieldName("data");
        g.writeRawValue(data);
        g.writeEndObject();
    }

    String json() {
        var out = new StringWriter(data.length() + 160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** An amount at the currency's scale ("99.00", "1000" for JPY), or "" when the event has none. */
    String money(BigDecimal value) {
        return value == null ? "" : new Money(value, Currency.getInstance(currency)).toPlainString();
    }
}
