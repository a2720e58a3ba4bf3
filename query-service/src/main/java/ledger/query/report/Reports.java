package ledger.query.report;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ledger.events.InvoiceStatus;
import ledger.events.Money;
import ledger.query.web.Instants;
import ledger.support.auth.ApiPrincipal;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Balances and aging per currency from the ledger as of an instant; see the package docs for definitions. */
@Component
class Reports {

    /** Each invoice of the ledger (store and mode) existing at the instant, in the state of its latest event by then. */
    private static final String AS_OF = """
            WITH history AS (
                SELECT invoice_id, sequence, type, status, amount, amount_paid, amount_due
                FROM ledger_event
                WHERE store_id = ? AND livemode = ? AND occurred_at <= ?),
            latest AS (
                SELECT DISTINCT ON (invoice_id) invoice_id, status, amount_paid, amount_due
                FROM history
                ORDER BY invoice_id, sequence DESC),
            corrections AS (
                SELECT invoice_id, coalesce(sum(amount) FILTER (WHERE type = 'RefundIssued'), 0) AS refunded,
                       coalesce(sum(amount) FILTER (WHERE type = 'CreditNoteIssued'), 0) AS credited
                FROM history
                WHERE type IN ('RefundIssued', 'CreditNoteIssued')
                GROUP BY invoice_id),
            invoice_as_of AS (
                SELECT c.currency, c.amount, c.due_date, c.expires_at, l.status, l.amount_paid, l.amount_due,
                       coalesce(k.refunded, 0) AS amount_refunded, coalesce(k.credited, 0) AS amount_credited
                FROM latest l
                JOIN ledger_event c ON c.invoice_id = l.invoice_id AND c.sequence = 1
                LEFT JOIN corrections k ON k.invoice_id = l.invoice_id
                WHERE c.type = 'InvoiceCreated' AND (?::text IS NULL OR c.currency = ?))
            """;

    private static final String BALANCES = AS_OF + """
            SELECT currency, status, count(*), sum(amount), sum(amount_paid), sum(amount_due),
                   sum(greatest(amount_paid - (amount - amount_credited), 0)), sum(amount_refunded),
                   sum(amount_credited)
            FROM invoice_as_of
            GROUP BY currency, status""";

    // Days past due: any started day counts; due is the end of due_date (UTC), else expires_at.
    private static final String AGING = AS_OF + """
            SELECT currency,
                   CASE WHEN days IS NULL OR days <= 0 THEN 'not_yet_due'
                        WHEN days <= 30 THEN 'days_1_30'
                        WHEN days <= 60 THEN 'days_31_60'
                        WHEN days <= 90 THEN 'days_61_90'
                        ELSE 'days_over_90' END AS bucket,
                   count(*), sum(amount_due)
            FROM (SELECT currency, amount_due,
                         ceil(extract(epoch FROM (?::timestamptz - coalesce(
                             (due_date + 1)::timestamp AT TIME ZONE 'UTC', expires_at))) / 86400) AS days
                  FROM invoice_as_of
                  WHERE status IN ('open', 'partially_paid')) aged
            GROUP BY 1, 2
            UNION ALL
            SELECT currency, 'written_off', count(*), sum(amount_due)
            FROM invoice_as_of WHERE status = 'uncollectible'
            GROUP BY 1""";

    static final List<String> BUCKETS = List.of("not_yet_due", "days_1_30", "days_31_60", "days_61_90", "days_over_90");
    private static final String WRITTEN_OFF = "written_off";

    private final JdbcTemplate jdbc;

    Reports(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Per currency (sorted by code): totals and counts per status. */
    List<Balance> balances(ApiPrincipal ledger, Instant asOf, Currency only) {
        var byCurrency = new TreeMap<String, BalanceBuilder>();
        if (only != null) {
            byCurrency.put(only.getCurrencyCode(), new BalanceBuilder(only));
        }
        String code = only == null ? null : only.getCurrencyCode();
        jdbc.query(BALANCES, rs -> {
            String currency = rs.getString(1);
            byCurrency.computeIfAbsent(currency, c -> new BalanceBuilder(Currency.getInstance(c)))
                    .add(InvoiceStatus.fromWire(rs.getString(2)), rs.getLong(3), rs.getBigDecimal(4),
                            rs.getBigDecimal(5), rs.getBigDecimal(6), rs.getBigDecimal(7), rs.getBigDecimal(8),
                            rs.getBigDecimal(9));
        }, ledger.storeId().value(), ledger.livemode(), Instants.sql(asOf), code, code);
        return byCurrency.values().stream().map(BalanceBuilder::build).toList();
    }

    /** Per currency (sorted by code): outstanding amounts and counts per aging bucket. */
    List<Aging> aging(ApiPrincipal ledger, Instant asOf, Currency only) {
        var byCurrency = new TreeMap<String, AgingBuilder>();
        if (only != null) {
            byCurrency.put(only.getCurrencyCode(), new AgingBuilder(only));
        }
        String code = only == null ? null : only.getCurrencyCode();
        jdbc.query(AGING, rs -> {
            String currency = rs.getString(1);
            byCurrency.computeIfAbsent(currency, c -> new AgingBuilder(Currency.getInstance(c)))
                    .add(rs.getString(2), rs.getLong(3), rs.getBigDecimal(4));
        }, ledger.storeId().value(), ledger.livemode(), Instants.sql(asOf), code, code, Instants.sql(asOf));
        return byCurrency.values().stream().map(AgingBuilder::build).toList();
    }

    /** Amounts are decimal strings at the currency's scale. */
    record Balance(String currency, String invoiced, String paid, String refunded, String credited,
                   String outstanding, String overpaid,
                   String expiredUnpaid, String cancelled, String writtenOff, long invoiceCount,
                   Map<String, Long> counts) {
    }

    /** One aging bucket: the outstanding amount and how many invoices make it up. */
    record Bucket(String amount, long count) {
    }

    /** {@code outstanding} is what the buckets hold; uncollectible invoices are out of them, in {@code writtenOff}. */
    record Aging(String currency, String outstanding, long invoiceCount, Map<String, Bucket> buckets,
                 Bucket writtenOff) {
    }

    private static final class BalanceBuilder {
        private final Currency currency;
        private BigDecimal invoiced = BigDecimal.ZERO;
        private BigDecimal paid = BigDecimal.ZERO;
        private BigDecimal refunded = BigDecimal.ZERO;
        private BigDecimal credited = BigDecimal.ZERO;
        private BigDecimal outstanding = BigDecimal.ZERO;
        private BigDecimal overpaid = BigDecimal.ZERO;
        private BigDecimal expiredUnpaid = BigDecimal.ZERO;
        private BigDecimal cancelled = BigDecimal.ZERO;
        private BigDecimal writtenOff = BigDecimal.ZERO;
        private final Map<InvoiceStatus, Long> counts = new EnumMap<>(InvoiceStatus.class);

        BalanceBuilder(Currency currency) {
            this.currency = currency;
        }

        void add(InvoiceStatus status, long count, BigDecimal amount, BigDecimal amountPaid, BigDecimal amountDue,
                 BigDecimal amountOverpaid, BigDecimal amountRefunded, BigDecimal amountCredited) {
            counts.merge(status, count, Long::sum);
            paid = paid.add(amountPaid);
            overpaid = overpaid.add(amountOverpaid);
            refunded = refunded.add(amountRefunded);
            if (status == InvoiceStatus.CANCELLED) {
                cancelled = cancelled.add(amount);
                return;
            }
            invoiced = invoiced.add(amount);
            credited = credited.add(amountCredited);
            if (status == InvoiceStatus.OPEN || status == InvoiceStatus.PARTIALLY_PAID) {
                outstanding = outstanding.add(amountDue);
            } else if (status == InvoiceStatus.EXPIRED) {
                expiredUnpaid = expiredUnpaid.add(amountDue);
            } else if (status == InvoiceStatus.UNCOLLECTIBLE) {
                writtenOff = writtenOff.add(amountDue);
            }
        }

        Balance build() {
            var byName = new LinkedHashMap<String, Long>();
            long total = 0;
            for (InvoiceStatus s : InvoiceStatus.values()) {
                long n = counts.getOrDefault(s, 0L);
                byName.put(s.wireName(), n);
                total += n;
            }
            return new Balance(currency.getCurrencyCode(), money(invoiced), money(paid), money(refunded),
                    money(credited), money(outstanding),
                    money(overpaid), money(expiredUnpaid), money(cancelled), money(writtenOff), total, byName);
        }

        private String money(BigDecimal value) {
            return new Money(value, currency).toPlainString();
        }
    }

    private static final class AgingBuilder {
        private final Currency currency;
        private final Map<String, BigDecimal> amounts = new LinkedHashMap<>();
        private final Map<String, Long> counts = new LinkedHashMap<>();

        AgingBuilder(Currency currency) {
            this.currency = currency;
            for (String b : BUCKETS) {
                amounts.put(b, BigDecimal.ZERO);
                counts.put(b, 0L);
            }
            amounts.put(WRITTEN_OFF, BigDecimal.ZERO);
            counts.put(WRITTEN_OFF, 0L);
        }

        void add(String bucket, long count, BigDecimal amount) {
            amounts.merge(bucket, amount, BigDecimal::add);
            counts.merge(bucket, count, Long::sum);
        }

        Aging build() {
            var buckets = new LinkedHashMap<String, Bucket>();
            BigDecimal total = BigDecimal.ZERO;
            long n = 0;
            for (String b : BUCKETS) {
                buckets.put(b, new Bucket(new Money(amounts.get(b), currency).toPlainString(), counts.get(b)));
                total = total.add(amounts.get(b));
                n += counts.get(b);
            }
            return new Aging(currency.getCurrencyCode(), new Money(total, currency).toPlainString(), n, buckets,
                    new Bucket(new Money(amounts.get(WRITTEN_OFF), currency).toPlainString(), counts.get(WRITTEN_OFF)));
        }
    }
}
