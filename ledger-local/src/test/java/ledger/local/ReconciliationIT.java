package ledger.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import ledger.events.InvoiceStatus;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.Money;
import ledger.testsupport.ApiClient;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The finance reconciliation of SPEC §4.5 over random histories (jqwik; a stack of its own, one new store per try):
 * invoices in USD, JPY and BHD are created, paid in parts or too much, credited, refunded, written off, cancelled
 * and left to expire or go overdue, all through the gateway. Then, from the events the store exports alone:
 * <ul>
 *   <li>every invoice, after every one of its events, has {@code amount_due + amount_paid + amount_credited ≥
 *       amount}, equal unless it is overpaid, and never more refunded than paid;</li>
 *   <li>the read model shows each invoice as its exported events fold;</li>
 *   <li>the balances and aging reports, now and as of an instant inside the history, equal the sums over those
 *       events by the definitions of {@code ledger.query.report}.</li>
 * </ul>
 * A refusal along the way (too much, the wrong state) is expected and must be a 400 or 409, never a 5xx.
 */
class ReconciliationIT {

    private static final Set<String> EXPECTED_REFUSALS = Set.of("amount_too_large", "invoice_not_payable",
            "invoice_not_creditable", "invoice_not_cancellable", "invoice_not_markable_uncollectible");

    private static TestStack stack;
    private static ApiClient api;
    /** What the tries covered, printed at the end: events by type, and answers by status and code. */
    private static final Map<String, Integer> covered = new java.util.concurrent.ConcurrentSkipListMap<>();

    enum Kind { PAY, REFUND, CREDIT, WRITE_OFF, CANCEL }

    /** {@code permille} of the figure the operation scales (what is due, or what can be refunded). */
    record Operation(Kind kind, int permille) {
    }

    record Plan(String currency, long minorUnits, boolean expiresSoon, boolean backdated, List<Operation> operations) {
    }

    @BeforeContainer
    static void startTheLedger() {
        stack = TestStack.start("reconciliation-it", Map.of());
        api = new ApiClient(stack.ledger().gatewayUrl());
    }

    @AfterContainer
    static void stopTheLedger() {
        System.out.println("reconciliation: covered " + covered);
        if (stack != null) {
            stack.close();
        }
    }

    @Provide
    Arbitrary<List<Plan>> histories() {
        Arbitrary<Operation> operation = Combinators.combine(
                Arbitraries.frequency(List.of(
                        Tuple.of(5, Kind.PAY), Tuple.of(3, Kind.REFUND), Tuple.of(3, Kind.CREDIT),
                        Tuple.of(1, Kind.WRITE_OFF), Tuple.of(1, Kind.CANCEL))),
                Arbitraries.integers().between(1, 1300)).as(Operation::new);
        Arbitrary<Plan> plan = Combinators.combine(Arbitraries.of("USD", "JPY", "BHD"),
                Arbitraries.longs().between(1, 2_000_000), Arbitraries.integers().between(0, 5).map(n -> n == 0),
                Arbitraries.integers().between(0, 3).map(n -> n == 0), operation.list().ofMaxSize(6)).as(Plan::new);
        return plan.list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 10)
    void reportsEqualSumsOverTheExportedEvents(@ForAll("histories") List<Plan> plans,
                                               @ForAll @IntRange(max = 999) int cutPermille) throws Exception {
        String key = api.storeWithKey(stack.ledger().adminToken(), "invoices:read", "invoices:write",
                "payments:write", "events:read", "reports:read")[1];
        var ids = new ArrayList<String>();
        for (Plan plan : plans) {
            ids.add(run(plan, key));
        }

        List<LedgerEvent> events = settledExport(key, plans, ids);
        events.forEach(e -> covered.merge(e.type(), 1, Integer::sum));
        Map<String, List<LedgerEvent>> histories = events.stream().collect(Collectors.groupingBy(
                e -> e.invoiceId().value(), LinkedHashMap::new, Collectors.collectingAndThen(Collectors.toList(),
                        h -> h.stream().sorted(Comparator.comparingLong(LedgerEvent::sequence)).toList())));
        assertThat(histories.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        histories.values().forEach(ReconciliationIT::figuresAddUpAfterEveryEvent);
        JsonNode list = api.get("/v1/invoices?limit=100", key).json().get("data");
        for (JsonNode read : list) {
            var folded = InvoiceView.replay(histories.get(read.get("id").asText()));
            // as text, then read: the same JSON node types on both sides
            assertThat(read).as("the read model")
                    .isEqualTo(LedgerJson.mapper().readTree(LedgerJson.mapper().writeValueAsString(folded)));
        }

        assertReportsAt(null, histories.values(), key);
        var byTime = events.stream().sorted(Comparator.comparing(LedgerEvent::occurredAt)).toList();
        Instant cut = byTime.get(byTime.size() * cutPermille / 1000).occurredAt();
        var before = histories.values().stream()
                .map(h -> h.stream().filter(e -> !e.occurredAt().isAfter(cut)).toList())
                .filter(h -> !h.isEmpty()).toList();
        assertReportsAt(cut, before, key);
    }

    /** Creates the invoice and sends its operations in order; returns its id. */
    private static String run(Plan plan, String key) {
        var currency = Currency.getInstance(plan.currency());
        var body = new StringBuilder("{\"amount\":\"").append(minor(plan.minorUnits(), currency))
                .append("\",\"currency\":\"").append(plan.currency()).append('"');
        if (plan.expiresSoon()) {
            body.append(",\"expires_in\":2");
        }
        if (plan.backdated()) {
            body.append(",\"due_date\":\"").append(LocalDate.now(ZoneOffset.UTC).minusDays(1)).append('"');
        }
        var created = api.post("/v1/invoices", key, body.append('}').toString());
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        JsonNode invoice = created.json();
        String path = "/v1/invoices/" + invoice.get("id").asText();
        int n = 0;
        for (Operation op : plan.operations()) {
            n++;
            BigDecimal due = new BigDecimal(invoice.get("amount_due").asText());
            BigDecimal refundable = new BigDecimal(invoice.get("amount_paid").asText())
                    .subtract(new BigDecimal(invoice.get("amount_refunded").asText()));
            ApiClient.Response answer = switch (op.kind()) {
                case PAY -> api.post(path + "/payments", key, "{\"amount\":\""
                        + part(due, op.permille(), currency) + "\",\"currency\":\"" + plan.currency()
                        + "\",\"reference\":\"p" + n + "\"}");
                case REFUND -> api.post(path + "/refunds", key, "{\"amount\":\""
                        + part(refundable, Math.min(op.permille(), 1050), currency) + "\",\"reference\":\"r" + n
                        + "\"}");
                case CREDIT -> api.post(path + "/credit_notes", key, "{\"amount\":\""
                        + part(due, op.permille(), currency) + "\",\"reason\":\"order_change\"}");
                case WRITE_OFF -> api.post(path + "/mark_uncollectible", key, null);
                case CANCEL -> api.post(path + "/cancel", key, null);
            };
            covered.merge(answer.status() + " " + (answer.status() < 300 ? op.kind()
                    : answer.json().get("code").asText()), 1, Integer::sum);
            if (answer.status() < 300) {
                invoice = answer.json().has("invoice") ? answer.json().get("invoice") : answer.json();
            } else {
                assertThat(answer.status()).as(op + " " + answer.raw()).isIn(400, 409);
                assertThat(answer.json().get("code").asText()).as(op + " " + answer.raw()).isIn(EXPECTED_REFUSALS);
            }
        }
        return invoice.get("id").asText();
    }

    /** {@code permille} of {@code figure} at the currency's scale, at least one minor unit. */
    private static String part(BigDecimal figure, int permille, Currency currency) {
        int scale = Money.scaleOf(currency);
        BigDecimal part = figure.multiply(BigDecimal.valueOf(permille)).divide(BigDecimal.valueOf(1000), scale,
                RoundingMode.DOWN);
        return part.signum() > 0 ? part.toPlainString() : BigDecimal.ONE.movePointLeft(scale).toPlainString();
    }

    private static String minor(long units, Currency currency) {
        return BigDecimal.valueOf(units).movePointLeft(Money.scaleOf(currency)).toPlainString();
    }

    /**
     * The store's events once nothing more is coming: invoices meant to expire have, overdue ones say so, and the
     * export holds as many events as the read model's versions add up to.
     */
    private static List<LedgerEvent> settledExport(String key, List<Plan> plans, List<String> ids) {
        var exported = new ArrayList<LedgerEvent>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            var byId = new TreeMap<String, JsonNode>();
            api.get("/v1/invoices?limit=100", key).json().get("data").forEach(i -> byId.put(i.get("id").asText(), i));
            assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            for (int i = 0; i < plans.size(); i++) {
                var status = InvoiceStatus.fromWire(byId.get(ids.get(i)).get("status").asText());
                if (plans.get(i).expiresSoon()) {
                    assertThat(status.isCollecting()).as("expired by now: " + ids.get(i)).isFalse();
                }
                if (plans.get(i).backdated() && status.isCollecting()) {
                    assertThat(byId.get(ids.get(i)).get("overdue").asBoolean()).as("overdue: " + ids.get(i)).isTrue();
                }
            }
            long versions = byId.values().stream().mapToLong(i -> i.get("version").asLong()).sum();
            var export = api.get("/v1/exports/events?format=ndjson", key);
            exported.clear();
            for (String line : export.raw().split("\n")) {
                if (!line.isBlank()) {
                    exported.add(LedgerJson.mapper().treeToValue(LedgerJson.mapper().readTree(line).get("data"),
                            LedgerEvent.class));
                }
            }
            assertThat(exported).hasSize((int) versions);
        });
        return exported;
    }

    private static void figuresAddUpAfterEveryEvent(List<LedgerEvent> history) {
        InvoiceView.advance(null, history, (event, view) -> {
            BigDecimal amount = new BigDecimal(view.amount());
            BigDecimal paid = new BigDecimal(view.amountPaid());
            BigDecimal due = new BigDecimal(view.amountDue());
            BigDecimal sum = due.add(paid).add(new BigDecimal(view.amountCredited()));
            String at = view.id() + " after " + event.type() + " #" + event.sequence();
            // equal until settled; an overpaid invoice exceeds its amount by exactly what was overpaid
            assertThat(sum).as(at).isEqualByComparingTo(amount.add(new BigDecimal(view.amountOverpaid())));
            assertThat(view.status() == InvoiceStatus.OVERPAID).as(at)
                    .isEqualTo(new BigDecimal(view.amountOverpaid()).signum() > 0);
            assertThat(view.status() == InvoiceStatus.PAID || view.status() == InvoiceStatus.OVERPAID).as(at)
                    .isEqualTo(due.signum() == 0);
            assertThat(new BigDecimal(view.amountRefunded())).as(at).isLessThanOrEqualTo(paid);
        });
    }

    /** Balances and aging from the reports ({@code asOf} null: now) against the same figures summed over the folds. */
    private static void assertReportsAt(Instant asOf, Collection<List<LedgerEvent>> histories, String key) {
        var expected = new TreeMap<String, Map<String, BigDecimal>>();
        for (var history : histories) {
            var view = InvoiceView.replay(history);
            var sums = expected.computeIfAbsent(view.currency(), c -> new TreeMap<>());
            var status = view.status();
            add(sums, "count:" + status.wireName(), BigDecimal.ONE);
            add(sums, "paid", view.amountPaid());
            add(sums, "overpaid", view.amountOverpaid());
            add(sums, "refunded", view.amountRefunded());
            if (status == InvoiceStatus.CANCELLED) {
                add(sums, "cancelled", view.amount());
                continue;
            }
            add(sums, "invoiced", view.amount());
            add(sums, "credited", view.amountCredited());
            if (status.isCollecting()) {
                add(sums, "outstanding", view.amountDue());
            } else if (status == InvoiceStatus.EXPIRED) {
                add(sums, "expired_unpaid", view.amountDue());
            } else if (status == InvoiceStatus.UNCOLLECTIBLE) {
                add(sums, "written_off", view.amountDue());
            }
        }
        String when = asOf == null ? "" : "?as_of=" + asOf;
        JsonNode balances = api.get("/v1/reports/balances" + when, key).json().get("data");
        var aging = new TreeMap<String, JsonNode>();
        api.get("/v1/reports/aging" + when, key).json().get("data")
                .forEach(a -> aging.put(a.get("currency").asText(), a));
        var reported = new TreeMap<String, Map<String, BigDecimal>>();
        for (JsonNode b : balances) {
            String currency = b.get("currency").asText();
            var sums = reported.computeIfAbsent(currency, c -> new TreeMap<>());
            for (String figure : List.of("paid", "overpaid", "refunded", "cancelled", "invoiced", "credited",
                    "outstanding", "expired_unpaid", "written_off")) {
                add(sums, figure, b.get(figure).asText());
            }
            BigDecimal accounted = BigDecimal.ZERO;
            for (String figure : List.of("paid", "credited", "outstanding", "expired_unpaid", "written_off")) {
                accounted = accounted.add(sums.get(figure));
            }
            assertThat(accounted.subtract(sums.get("overpaid"))).as("invoiced = paid − overpaid + credited"
                    + " + outstanding + expired_unpaid + written_off, " + currency + when)
                    .isEqualByComparingTo(sums.get("invoiced"));
            b.get("counts").fields().forEachRemaining(c -> add(sums, "count:" + c.getKey(),
                    BigDecimal.valueOf(c.getValue().asLong())));
            // aging lists a currency only when something in it is outstanding or written off
            JsonNode a = aging.get(currency);
            assertThat(a == null ? BigDecimal.ZERO : new BigDecimal(a.get("outstanding").asText()))
                    .as("aging outstanding " + currency + when).isEqualByComparingTo(sums.get("outstanding"));
            assertThat(a == null ? BigDecimal.ZERO : new BigDecimal(a.at("/written_off/amount").asText()))
                    .as("aging written off " + currency + when).isEqualByComparingTo(sums.get("written_off"));
        }
        reported.values().forEach(sums -> sums.values().removeIf(v -> v.signum() == 0));
        expected.values().forEach(sums -> sums.values().removeIf(v -> v.signum() == 0));
        assertThat(reported).as("balances " + when).isEqualTo(expected);
    }

    private static void add(Map<String, BigDecimal> sums, String figure, String amount) {
        add(sums, figure, new BigDecimal(amount));
    }

    private static void add(Map<String, BigDecimal> sums, String figure, BigDecimal amount) {
        sums.merge(figure, amount, BigDecimal::add);
    }
}
