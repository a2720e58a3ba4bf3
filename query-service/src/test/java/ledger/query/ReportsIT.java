package ledger.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ledger.events.LedgerEvent;
import ledger.events.StoreId;
import ledger.support.auth.Scopes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Balances and aging for a hand-built multi-currency ledger; every expected figure is worked out by
 * hand below, not computed by the code under test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportsIT extends QueryIntegrationTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant END = Instant.parse("2026-02-15T12:00:00Z");
    static final Instant MID = T0.plus(Duration.ofHours(12));
    StoreId store = StoreId.generate();
    String key;

    static Instant days(double d) {
        return T0.plusSeconds((long) (d * 86_400));
    }

    @BeforeAll
    void ledger() throws Exception {
        key = keyFor(store, Scopes.REPORTS_READ);
        List<LedgerEvent> events = new ArrayList<>();
        Instant farExpiry = days(90);
        // USD
        var u1 = InvoiceHistory.of(store, "100.00", "USD");       // partially paid 40.00, due 2026-01-10
        events.add(u1.create(T0, LocalDate.parse("2026-01-10"), farExpiry));
        events.add(u1.pay("40.00", days(1)));
        var u2 = InvoiceHistory.of(store, "50.00", "USD");        // paid exactly
        events.add(u2.create(T0, null, farExpiry));
        events.add(u2.pay("50.00", days(1)));
        var u3 = InvoiceHistory.of(store, "20.00", "USD");        // overpaid by 5.50
        events.add(u3.create(T0, null, farExpiry));
        events.add(u3.pay("25.50", days(1)));
        var u4 = InvoiceHistory.of(store, "30.00", "USD");        // cancelled after one hour
        events.add(u4.create(T0, null, farExpiry));
        events.add(u4.cancel(T0.plus(Duration.ofHours(1))));
        var u5 = InvoiceHistory.of(store, "80.00", "USD");        // 10.00 paid, then expired: 70.00 unpaid
        events.add(u5.create(T0, null, days(2)));
        events.add(u5.pay("10.00", days(1)));
        events.add(u5.expire(days(2)));
        var u6 = InvoiceHistory.of(store, "19.99", "USD");        // created on day 10, expires 45 days later
        events.add(u6.create(days(10), null, days(55)));
        var u7 = InvoiceHistory.of(store, "5.00", "USD");         // due on the report's own date
        events.add(u7.create(T0, LocalDate.parse("2026-02-15"), farExpiry));
        var u8 = InvoiceHistory.of(store, "7.00", "USD");         // due 2026-01-16: 29.5 days late at END
        events.add(u8.create(T0, LocalDate.parse("2026-01-16"), farExpiry));
        // JPY
        var j1 = InvoiceHistory.of(store, "1000", "JPY");         // 300 paid, due 2025-12-01
        events.add(j1.create(T0, LocalDate.parse("2025-12-01"), farExpiry));
        events.add(j1.pay("300", days(1)));
        var j2 = InvoiceHistory.of(store, "5000", "JPY");         // open, due 2025-10-15
        events.add(j2.create(T0, LocalDate.parse("2025-10-15"), farExpiry));
        var j3 = InvoiceHistory.of(store, "1200", "JPY");         // expired unpaid on day 3
        events.add(j3.create(T0, null, days(3)));
        events.add(j3.expire(days(3)));
        // BHD (three decimals)
        var b1 = InvoiceHistory.of(store, "10.500", "BHD");       // open, due 2025-11-20
        events.add(b1.create(T0, LocalDate.parse("2025-11-20"), farExpiry));
        var b2 = InvoiceHistory.of(store, "2.250", "BHD");        // 2.000 + 0.300 = overpaid by 0.050
        events.add(b2.create(T0, null, farExpiry));
        events.add(b2.pay("2.000", days(1)));
        events.add(b2.pay("0.300", days(2)));
        var b3 = InvoiceHistory.of(store, "1.000", "BHD");        // cancelled
        events.add(b3.create(T0, null, farExpiry));
        events.add(b3.cancel(T0.plus(Duration.ofHours(1))));
        for (LedgerEvent e : events) {
            send(e, nextPosition());
        }
        awaitProjected();
    }

    JsonNode currency(JsonNode report, String code) {
        for (JsonNode row : report.get("data")) {
            if (row.get("currency").asText().equals(code)) {
                return row;
            }
        }
        throw new AssertionError("no " + code + " in " + report);
    }

    static void assertCounts(JsonNode row, Map<String, Integer> expected) {
        for (String status : List.of("open", "partially_paid", "paid", "overpaid", "cancelled", "expired")) {
            assertThat(row.get("counts").get(status).asInt()).as(status).isEqualTo(expected.getOrDefault(status, 0));
        }
    }

    @Test
    void balancesAtTheEnd() {
        var report = api().get("/v1/reports/balances?as_of=" + END, key).json();
        assertThat(report.get("object").asText()).isEqualTo("balance_report");
        assertThat(report.get("as_of").asText()).isEqualTo("2026-02-15T12:00:00Z");
        assertThat(report.get("data")).hasSize(3);
        assertThat(report.get("data").get(0).get("currency").asText()).isEqualTo("BHD"); // sorted by code

        var usd = currency(report, "USD");
        // invoiced: all but the cancelled u4 = 100.00 + 50.00 + 20.00 + 80.00 + 19.99 + 5.00 + 7.00 = 281.99
        assertThat(usd.get("invoiced").asText()).isEqualTo("281.99");
        // paid: 40.00 + 50.00 + 25.50 + 10.00 = 125.50
        assertThat(usd.get("paid").asText()).isEqualTo("125.50");
        // outstanding (open/partially paid): u1 60.00 + u6 19.99 + u7 5.00 + u8 7.00 = 91.99
        assertThat(usd.get("outstanding").asText()).isEqualTo("91.99");
        // overpaid: u3 25.50 − 20.00 = 5.50
        assertThat(usd.get("overpaid").asText()).isEqualTo("5.50");
        // expired_unpaid: u5 80.00 − 10.00 = 70.00; cancelled: u4 30.00
        assertThat(usd.get("expired_unpaid").asText()).isEqualTo("70.00");
        assertThat(usd.get("cancelled").asText()).isEqualTo("30.00");
        // identity: 125.50 − 5.50 + 91.99 + 70.00 = 281.99
        assertThat(usd.get("invoice_count").asInt()).isEqualTo(8);
        assertCounts(usd, Map.of("open", 3, "partially_paid", 1, "paid", 1, "overpaid", 1, "cancelled", 1,
                "expired", 1));

        var jpy = currency(report, "JPY");
        // invoiced 1000 + 5000 + 1200 = 7200; paid 300; outstanding 700 + 5000 = 5700; expired unpaid 1200
        assertThat(jpy.get("invoiced").asText()).isEqualTo("7200");
        assertThat(jpy.get("paid").asText()).isEqualTo("300");
        assertThat(jpy.get("outstanding").asText()).isEqualTo("5700");
        assertThat(jpy.get("overpaid").asText()).isEqualTo("0");
        assertThat(jpy.get("expired_unpaid").asText()).isEqualTo("1200");
        assertThat(jpy.get("cancelled").asText()).isEqualTo("0");
        assertCounts(jpy, Map.of("open", 1, "partially_paid", 1, "expired", 1));

        var bhd = currency(report, "BHD");
        // invoiced 10.500 + 2.250 = 12.750 (b3 cancelled); paid 2.000 + 0.300 = 2.300;
        // outstanding 10.500; overpaid 2.300 − 2.250 = 0.050; cancelled 1.000
        assertThat(bhd.get("invoiced").asText()).isEqualTo("12.750");
        assertThat(bhd.get("paid").asText()).isEqualTo("2.300");
        assertThat(bhd.get("outstanding").asText()).isEqualTo("10.500");
        assertThat(bhd.get("overpaid").asText()).isEqualTo("0.050");
        assertThat(bhd.get("expired_unpaid").asText()).isEqualTo("0.000");
        assertThat(bhd.get("cancelled").asText()).isEqualTo("1.000");
        assertCounts(bhd, Map.of("open", 1, "overpaid", 1, "cancelled", 1));
    }

    @Test
    void balancesAsOfAnEarlierInstantAndForOneCurrency() {
        // T0 + 12 h: everything but u6 exists, u4 and b3 are cancelled, no payment and no expiry yet.
        var usd = api().get("/v1/reports/balances?currency=usd&as_of=" + MID, key).json();
        assertThat(usd.get("currency").asText()).isEqualTo("USD");
        assertThat(usd.get("data")).hasSize(1);
        var row = usd.get("data").get(0);
        // invoiced = outstanding: 100.00 + 50.00 + 20.00 + 80.00 + 5.00 + 7.00 = 262.00
        assertThat(row.get("invoiced").asText()).isEqualTo("262.00");
        assertThat(row.get("outstanding").asText()).isEqualTo("262.00");
        assertThat(row.get("paid").asText()).isEqualTo("0.00");
        assertThat(row.get("cancelled").asText()).isEqualTo("30.00");
        assertCounts(row, Map.of("open", 6, "cancelled", 1));

        // Before anything existed: an explicit zero row for the asked currency.
        var empty = api().get("/v1/reports/balances?currency=JPY&as_of=2025-12-31T23:59:59Z", key).json();
        assertThat(empty.get("data").get(0).get("invoiced").asText()).isEqualTo("0");
        assertThat(empty.get("data").get(0).get("invoice_count").asInt()).isZero();
    }

    @Test
    void agingBucketsOutstandingAmountsByDaysPastDue() {
        var report = api().get("/v1/reports/aging?as_of=" + END, key).json();
        assertThat(report.get("object").asText()).isEqualTo("aging_report");

        var usd = currency(report, "USD").get("buckets");
        // u6: no due date, expires 2026-02-25 → not yet due; u7: due today (2026-02-15) → not yet due:
        // 19.99 + 5.00 = 24.99
        assertBucket(usd, "not_yet_due", "24.99", 2);
        // u8: due end of 2026-01-16 → 29.5 days late → day 30 → 1–30
        assertBucket(usd, "days_1_30", "7.00", 1);
        // u1: due end of 2026-01-10 → 35.5 days late → 31–60
        assertBucket(usd, "days_31_60", "60.00", 1);
        assertBucket(usd, "days_61_90", "0.00", 0);
        assertBucket(usd, "days_over_90", "0.00", 0);
        assertThat(currency(report, "USD").get("outstanding").asText()).isEqualTo("91.99");

        var jpy = currency(report, "JPY").get("buckets");
        // j1: due end of 2025-12-01 → 75.5 days late → 61–90 (700 left); j2: end of 2025-10-15 → 122.5 → 90+
        assertBucket(jpy, "days_61_90", "700", 1);
        assertBucket(jpy, "days_over_90", "5000", 1);
        assertBucket(jpy, "not_yet_due", "0", 0);

        var bhd = currency(report, "BHD").get("buckets");
        // b1: due end of 2025-11-20 → 86.5 days late → 61–90; b2 is overpaid, b3 cancelled: not receivables
        assertBucket(bhd, "days_61_90", "10.500", 1);
        assertThat(currency(report, "BHD").get("outstanding").asText()).isEqualTo("10.500");
    }

    static void assertBucket(JsonNode buckets, String name, String amount, int count) {
        assertThat(buckets.get(name).get("amount").asText()).as(name).isEqualTo(amount);
        assertThat(buckets.get(name).get("count").asInt()).as(name).isEqualTo(count);
    }

    @Test
    void reportsNeedTheirScopeAndValidParameters() throws Exception {
        assertThat(api().get("/v1/reports/balances", keyFor(store, Scopes.INVOICES_READ)).status()).isEqualTo(403);
        var bad = api().get("/v1/reports/aging?as_of=2026-02-30", key);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("param").asText()).isEqualTo("as_of");
        for (String asOf : new String[] {"1796438077", "2026-01-31", "2100-01-01T00:00:00Z"}) {
            var refused = api().get("/v1/reports/balances?as_of=" + asOf, key);
            assertThat(refused.status()).as(asOf).isEqualTo(400);
            assertThat(refused.json().get("code").asText()).isEqualTo("parameter_invalid");
            assertThat(refused.json().get("param").asText()).isEqualTo("as_of");
        }
        assertThat(api().get("/v1/reports/balances?currency=XYZ", key).json().get("param").asText())
                .isEqualTo("currency");
        // Another store sees none of this store's money.
        var other = api().get("/v1/reports/balances", keyFor(StoreId.generate(), Scopes.REPORTS_READ)).json();
        assertThat(other.get("data")).isEmpty();
    }
}
