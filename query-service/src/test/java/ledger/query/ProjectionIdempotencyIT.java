package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Future;
import ledger.events.LedgerEvent;
import ledger.events.StoreId;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Redelivery: publishing the whole ledger a second time must not change a byte of any read model. */
class ProjectionIdempotencyIT extends QueryIntegrationTest {

    @Test
    void republishingEveryEventLeavesAllReadModelsByteIdentical() throws Exception {
        var store = StoreId.generate();
        Instant t = Instant.parse("2026-06-01T08:00:00Z");
        for (int i = 0; i < 50; i++) {
            var invoice = InvoiceHistory.of(store, "12.34", i % 2 == 0 ? "USD" : "EUR");
            invoice.create(t, null, t.plusSeconds(600));
            invoice.pay("2.00", t.plusSeconds(1));
            if (i % 3 == 0) {
                invoice.pay("20.00", t.plusSeconds(2));
            } else if (i % 3 == 1) {
                invoice.expire(t.plusSeconds(600));
            }
            for (LedgerEvent e : invoice.events()) {
                send(e, nextPosition());
            }
        }
        awaitProjected();
        String events = checksum("ledger_event", "t.event_id");
        String invoices = checksum("invoice", "t.id");
        long eventCount = jdbc.queryForObject("SELECT count(*) FROM ledger_event", Long.class);

        // Everything again, newest first: per invoice, older versions now arrive after newer ones.
        record Stored(String invoice, String payload, Long position, String eventId, String type) {
        }
        List<Stored> all = jdbc.query("""
                SELECT invoice_id, payload::text, global_position, event_id, type FROM ledger_event
                ORDER BY invoice_id, sequence""",
                (rs, i) -> new Stored(rs.getString(1), rs.getString(2), (Long) rs.getObject(3), rs.getString(4),
                        rs.getString(5)));
        Collections.reverse(all);
        var sent = new ArrayList<Future<?>>();
        for (Stored s : all) {
            var record = new ProducerRecord<>(TOPIC, s.invoice(), s.payload());
            record.headers().add("event_id", s.eventId().getBytes(StandardCharsets.UTF_8))
                    .add("event_type", s.type().getBytes(StandardCharsets.UTF_8))
                    .add("invoice_id", s.invoice().getBytes(StandardCharsets.UTF_8));
            if (s.position() != null) {
                record.headers().add("global_position", s.position().toString().getBytes(StandardCharsets.UTF_8));
            }
            sent.add(producer.send(record));
        }
        for (var f : sent) {
            f.get();
        }
        awaitProjected();

        assertThat(jdbc.queryForObject("SELECT count(*) FROM ledger_event", Long.class)).isEqualTo(eventCount);
        assertThat(checksum("ledger_event", "t.event_id")).isEqualTo(events);
        assertThat(checksum("invoice", "t.id")).isEqualTo(invoices);
    }
}
