package ledger.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rounding rule of {@link LineItem}: a hand-computed table, and properties over generated lines. */
class LineItemTest {

    /**
     * Computed by hand from the rule in {@link LineItem}'s documentation: exact S, N, G, then half-even rounding.
     * The comment after each row is its exact figures.
     */
    @ParameterizedTest(name = "{0} {1} × {2} −{3}% +{4}% = {5} − {6} + {7} = {8}")
    @CsvSource(nullValues = "-", value = {
            "USD, 1,        10.00,  -,  -,    10.00, 0.00, 0.00, 10.00",
            "USD, 3,        0.35,   -,  -,    1.05,  0.00, 0.00, 1.05",
            "USD, 0.333333, 1.00,   -,  -,    0.33,  0.00, 0.00, 0.33",   // S 0.333333
            "USD, 0.5,      0.05,   -,  -,    0.02,  0.00, 0.00, 0.02",   // S 0.025: a tie, to the even 2
            "USD, 1.5,      0.05,   -,  -,    0.08,  0.00, 0.00, 0.08",   // S 0.075: a tie, to the even 8
            "USD, 1,        19.99,  15, 8.25, 19.99, 3.00, 1.40, 18.39",  // N 16.9915, G 18.39329875
            "USD, 0.5,      0.03,   30, -,    0.02,  0.01, 0.00, 0.01",   // S 0.015, N 0.0105: adds up, unlike round(D) = 0.00
            "USD, 2,        5.00,   100, 20,  10.00, 10.00, 0.00, 0.00",
            "USD, 1,        0.10,   -,  25,   0.10,  0.00, 0.02, 0.12",   // G 0.125: a tie, to the even 2
            "USD, 1,        0.30,   -,  25,   0.30,  0.00, 0.08, 0.38",   // G 0.375: a tie, to the even 8
            "JPY, 3,        333,    -,  10,   999,   0,    100,  1099",   // G 1098.9
            "JPY, 1,        1005,   5,  -,    1005,  50,   0,    955",    // N 954.75
            "JPY, 0.5,      5,      -,  -,    2,     0,    0,    2",      // S 2.5: a tie, to the even 2
            "JPY, 0.5,      7,      -,  -,    4,     0,    0,    4",      // S 3.5: a tie, to the even 4
            "BHD, 1,        1.005,  -,  10,   1.005, 0.000, 0.101, 1.106", // G 1.1055: a tie, to the even 6
            "BHD, 2.5,      0.125,  50, -,    0.312, 0.156, 0.000, 0.156", // S 0.3125, N 0.15625
    })
    void theRoundingTable(String currency, BigDecimal quantity, String unitAmount, BigDecimal discountPercent,
                          BigDecimal taxPercent, String subtotal, String discount, String tax, String total) {
        var line = LineItem.compute("x", quantity, Money.parse(unitAmount, Currency.getInstance(currency)),
                discountPercent, taxPercent);

        assertThat(List.of(line.amountSubtotal().toPlainString(), line.amountDiscount().toPlainString(),
                line.amountTax().toPlainString(), line.amountTotal().toPlainString()))
                .containsExactly(subtotal, discount, tax, total);
    }

    @Property
    void everyLineAddsUpAtTheCurrencysScaleWithinAMinorUnitOfItsExactFigures(@ForAll("lines") LineItem line) {
        var currency = line.unitAmount().currency();
        int scale = Money.scaleOf(currency);
        BigDecimal unit = BigDecimal.ONE.movePointLeft(scale);
        BigDecimal s = line.quantity().multiply(line.unitAmount().amount());
        BigDecimal d = s.multiply(orZero(line.discountPercent())).movePointLeft(2);
        BigDecimal t = s.subtract(d).multiply(orZero(line.taxPercent())).movePointLeft(2);

        for (Money figure : List.of(line.amountSubtotal(), line.amountDiscount(), line.amountTax(), line.amountTotal())) {
            assertThat(figure.amount().scale()).isEqualTo(scale);
            assertThat(figure.currency()).isEqualTo(currency);
        }
        assertThat(line.amountSubtotal().amount().subtract(line.amountDiscount().amount())
                .add(line.amountTax().amount())).isEqualTo(line.amountTotal().amount());
        assertThat(line.amountTotal().amount())
                .isEqualTo(s.subtract(d).add(t).setScale(scale, RoundingMode.HALF_EVEN));
        assertThat(line.amountDiscount().amount().subtract(d).abs()).isLessThan(unit);
        assertThat(line.amountTax().amount().subtract(t).abs()).isLessThan(unit);
        if (d.signum() == 0) {
            assertThat(line.amountDiscount().isZero()).isTrue();
        }
        if (t.signum() == 0) {
            assertThat(line.amountTax().isZero()).isTrue();
        }
    }

    @Property
    void anInvoicesAmountIsTheExactSumOfItsLineTotals(@ForAll("invoices") List<LineItem> lines) {
        Money amount = LineItem.totalOf(lines);
        BigDecimal sum = lines.stream().map(l -> l.amountTotal().amount()).reduce(BigDecimal.ZERO, BigDecimal::add);

        assertThat(amount.amount()).isEqualByComparingTo(sum);
        assertThat(amount.amount().scale()).isEqualTo(Money.scaleOf(amount.currency()));
        assertThat(amount.currency()).isEqualTo(lines.get(0).unitAmount().currency());
    }

    @Provide
    Arbitrary<LineItem> lines() {
        return currencies().flatMap(LineItemTest::lineIn);
    }

    @Provide
    Arbitrary<List<LineItem>> invoices() {
        return currencies().flatMap(c -> lineIn(c).list().ofMinSize(1).ofMaxSize(100));
    }

    private static Arbitrary<Currency> currencies() {
        return Arbitraries.of("USD", "JPY", "BHD").map(Currency::getInstance);
    }

    private static Arbitrary<LineItem> lineIn(Currency currency) {
        int scale = Money.scaleOf(currency);
        Arbitrary<BigDecimal> quantity = Arbitraries.bigDecimals().between(new BigDecimal("0.000001"),
                new BigDecimal("10000")).ofScale(6).map(BigDecimal::stripTrailingZeros);
        Arbitrary<Money> unitAmount = Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("100000"))
                .ofScale(scale).map(a -> new Money(a, currency));
        Arbitrary<BigDecimal> percent = Arbitraries.bigDecimals().between(BigDecimal.ZERO, BigDecimal.valueOf(100))
                .ofScale(4).injectNull(0.2);
        return Combinators.combine(quantity, unitAmount, percent, percent)
                .as((q, u, d, t) -> LineItem.compute("line", q, u, d, t));
    }

    private static BigDecimal orZero(BigDecimal value) {
        return value == null ? BigDecimal.ZERO : value;
    }
}
