package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import ledger.events.InvoiceView;
import ledger.events.LedgerJson;
import ledger.events.StoreId;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * V9 writes each view stored before refunds and credit notes again as the view writes it now, so an old invoice's
 * GET shows the new figures and lists at once. Run on a scratch schema migrated to V8 first.
 */
class CorrectionsMigrationIT extends QueryIntegrationTest {

    static final String SCHEMA = "query_v9_views";

    Flyway flyway(String target) {
        return Flyway.configure().dataSource(jdbc.getDataSource()).schemas(SCHEMA).defaultSchema(SCHEMA)
                .locations("classpath:db/migration").target(target).load();
    }

    @Test
    void viewsStoredBeforeCorrectionsShowNoneOfThemAfterTheMigration() throws Exception {
        jdbc.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        flyway("8").migrate();
        var invoice = InvoiceHistory.of(StoreId.generate(), "1500", "JPY");
        invoice.create(Instant.parse("2026-11-01T00:00:00Z"), null, Instant.parse("2026-11-02T00:00:00Z"));
        invoice.pay("500", Instant.parse("2026-11-01T01:00:00Z"));
        InvoiceView now = InvoiceView.replay(invoice.events());
        String current = LedgerJson.mapper().writerFor(InvoiceView.class).writeValueAsString(now);
        var old = (ObjectNode) LedgerJson.mapper().readTree(current);
        old.remove(List.of("amount_credited", "amount_refunded", "refunds", "credit_notes"));
        jdbc.update("INSERT INTO " + SCHEMA + ".invoice (id, store_id, livemode, status, currency, amount, amount_paid,"
                + " amount_due, created_at, updated_at, version, view) VALUES (?, 'st_1', false, 'partially_paid', 'JPY',"
                + " 1500, 500, 1000, now(), now(), 2, ?::json)", now.id(), old.toString());

        flyway("latest").migrate();

        String migrated = jdbc.queryForObject("SELECT view::text FROM " + SCHEMA + ".invoice WHERE id = ?",
                String.class, now.id());
        assertThat(migrated).isEqualTo(current).contains("\"amount_credited\":\"0\"", "\"credit_notes\":[]");
        jdbc.execute("DROP SCHEMA " + SCHEMA + " CASCADE");
    }
}
