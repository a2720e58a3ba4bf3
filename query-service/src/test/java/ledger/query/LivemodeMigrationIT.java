package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * V3 gives rows stored before it their mode: an invoice from its view, each event from its invoice's
 * InvoiceCreated. Run on a scratch schema migrated to V2 first, so the live schema is left alone.
 */
class LivemodeMigrationIT extends QueryIntegrationTest {

    static final String SCHEMA = "query_v3_backfill";

    Flyway flyway(String target) {
        return Flyway.configure().dataSource(jdbc.getDataSource()).schemas(SCHEMA).defaultSchema(SCHEMA)
                .locations("classpath:db/migration").target(target).load();
    }

    @Test
    void existingInvoicesAndEventsTakeTheModeTheyWereCreatedIn() {
        jdbc.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        flyway("2").migrate();
        String created = """
                {"type":"InvoiceCreated","livemode":%s,"status":"open","amount":{"amount":"5.00","currency":"USD"},
                 "amount_paid":{"amount":"0.00","currency":"USD"},"amount_due":{"amount":"5.00","currency":"USD"}}""";
        String paid = """
                {"type":"PaymentReceived","status":"paid","amount":{"amount":"5.00","currency":"USD"},
                 "amount_paid":{"amount":"5.00","currency":"USD"},"amount_due":{"amount":"0.00","currency":"USD"}}""";
        for (var invoice : Map.of("inv_live", true, "inv_test", false).entrySet()) {
            String id = invoice.getKey();
            jdbc.update("INSERT INTO " + SCHEMA + ".ledger_event (event_id, invoice_id, store_id, sequence, type,"
                    + " occurred_at, payload, position, status, currency, amount_paid, amount_due)"
                    + " VALUES (?, ?, 'st_1', 1, 'InvoiceCreated', now(), ?::json, 1, 'open', 'USD', 0, 5),"
                    + " (?, ?, 'st_1', 2, 'PaymentReceived', now(), ?::json, 2, 'paid', 'USD', 5, 0)",
                    "evt_c_" + id, id, created.formatted(invoice.getValue()), "evt_p_" + id, id, paid);
            jdbc.update("INSERT INTO " + SCHEMA + ".invoice (id, store_id, status, currency, amount, amount_paid,"
                    + " amount_due, created_at, updated_at, version, view) VALUES (?, 'st_1', 'paid', 'USD', 5, 5, 0,"
                    + " now(), now(), 2, ?::json)", id, "{\"id\":\"" + id + "\",\"livemode\":" + invoice.getValue() + "}");
        }

        flyway("latest").migrate();

        assertThat(jdbc.queryForList("SELECT invoice_id || ':' || livemode FROM " + SCHEMA + ".ledger_event"
                + " ORDER BY invoice_id, sequence", String.class))
                .containsExactly("inv_live:true", "inv_live:true", "inv_test:false", "inv_test:false");
        assertThat(jdbc.queryForList("SELECT id || ':' || livemode FROM " + SCHEMA + ".invoice ORDER BY id",
                String.class)).containsExactly("inv_live:true", "inv_test:false");
        jdbc.execute("DROP SCHEMA " + SCHEMA + " CASCADE");
    }
}
