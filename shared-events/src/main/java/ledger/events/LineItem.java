package ledger.events;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Objects;

/**
 * One line of an invoice (SPEC §4.2): what the merchant sent — {@code quantity}, {@code unit_amount}, the optional
 * {@code discount_percent} and {@code tax_percent} (null when not sent) — and the figures computed from it, each at
 * the invoice currency's ISO 4217 scale.
 *
 * <p><b>Rounding</b>, the one rule, written out so a finance team can recompute any line:
 * <pre>
 *   S = quantity × unit_amount            subtotal, exact
 *   N = S − S × discount_percent / 100     after the discount, exact (tax is charged on the discounted amount)
 *   G = N + N × tax_percent / 100          with tax, exact
 *   amount_total    = round(G)             rounded once, half-even, to the currency's scale
 *   amount_subtotal = round(S)
 *   amount_discount = round(S) − round(N)
 *   amount_tax      = round(G) − round(N)
 * </pre>
 * Every product is exact (the only division is by 100), so nothing is rounded before the total is. The parts are
 * differences of the rounded running figures: each is within one minor unit of its exact value, none is negative
 * (rounding keeps order), a 0 % rate shows 0, and every line adds up: subtotal − discount + tax = total. The
 * invoice's {@code amount} is the sum of its lines' totals, which needs no rounding.
 */
public record LineItem(
        String description,
        @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal quantity,
        Money unitAmount,
        @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal discountPercent,
        @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal taxPercent,
        Money amountSubtotal,
        Money amountDiscount,
        Money amountTax,
        Money amountTotal) {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    public LineItem {
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(unitAmount, "unit_amount");
        Objects.requireNonNull(amountSubtotal, "amount_subtotal");
        Objects.requireNonNull(amountDiscount, "amount_discount");
        Objects.requireNonNull(amountTax, "amount_tax");
        Objects.requireNonNull(amountTotal, "amount_total");
    }

    /** The line with its figures computed by the rule above; absent percentages count as 0. */
    public static LineItem compute(String description, BigDecimal quantity, Money unitAmount,
                                   BigDecimal discountPercent, BigDecimal taxPercent) {
        var currency = unitAmount.currency();
        int scale = Money.scaleOf(currency);
        BigDecimal subtotal = quantity.multiply(unitAmount.amount());
        BigDecimal net = subtotal.subtract(percentOf(subtotal, discountPercent));
        BigDecimal gross = net.add(percentOf(net, taxPercent));
        BigDecimal s = subtotal.setScale(scale, RoundingMode.HALF_EVEN);
        BigDecimal n = net.setScale(scale, RoundingMode.HALF_EVEN);
        BigDecimal g = gross.setScale(scale, RoundingMode.HALF_EVEN);
        return new LineItem(description, quantity, unitAmount, discountPercent, taxPercent,
                new Money(s, currency), new Money(s.subtract(n), currency), new Money(g.subtract(n), currency),
                new Money(g, currency));
    }

    /** The invoice's {@code amount}: the sum of its lines' totals (no rounding; they share a scale). */
    public static Money totalOf(List<LineItem> lines) {
        Money total = Money.zero(lines.get(0).amountTotal().currency());
        for (LineItem line : lines) {
            total = total.plus(line.amountTotal());
        }
        return total;
    }

    private static BigDecimal percentOf(BigDecimal value, BigDecimal percent) {
        return percent == null ? BigDecimal.ZERO : value.multiply(percent).divide(HUNDRED);
    }
}
