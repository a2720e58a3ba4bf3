package ledger.events;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An exact amount in one currency, always held at the currency's ISO 4217 scale (USD 2, JPY 0, BHD 3),
 * so {@code "99.00"} and {@code "99"} USD are the same value and both print as {@code "99.00"}.
 * Negative amounts and currencies without minor units (XAU, XXX…) are refused.
 * On the wire: {@code {"amount": "99.00", "currency": "USD"}} — a decimal string, never a float.
 */
public record Money(@JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amount, Currency currency)
        implements Comparable<Money> {

    /** Plain decimal notation only: digits, optionally a point and more digits. No sign, no exponent. */
    private static final Pattern DECIMAL = Pattern.compile("\\d{1,30}(\\.\\d{1,30})?");

    public Money {
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(currency, "currency");
        int scale = scaleOf(currency);
        if (amount.signum() < 0) {
            throw new IllegalArgumentException("negative amount: " + amount.toPlainString());
        }
        if (amount.stripTrailingZeros().scale() > scale) {
            throw new IllegalArgumentException(
                    amount.toPlainString() + " has more decimals than " + currency + " allows (" + scale + ")");
        }
        amount = amount.setScale(scale);
    }

    /**
     * Parses a decimal string from a request. Unlike the constructor this also rejects exponent
     * forms such as {@code 1e3}, signs, blanks and too many decimals, with a reason a client can act on.
     */
    public static Money parse(String amount, Currency currency) {
        if (amount == null || !DECIMAL.matcher(amount).matches()) {
            throw new MoneyFormatException("not_a_decimal",
                    "must be a decimal string such as \"100.00\" (no sign, no exponent)");
        }
        int scale = scaleOf(currency);
        var value = new BigDecimal(amount);
        if (value.stripTrailingZeros().scale() > scale) {
            throw new MoneyFormatException("too_many_decimals",
                    currency.getCurrencyCode() + " allows at most " + scale + " decimals");
        }
        return new Money(value, currency);
    }

    public static Money zero(Currency currency) {
        return new Money(BigDecimal.ZERO, currency);
    }

    /** The ISO 4217 minor-unit digits, or an exception for currencies that have none defined. */
    public static int scaleOf(Currency currency) {
        int digits = currency.getDefaultFractionDigits();
        if (digits < 0) {
            throw new IllegalArgumentException(currency + " has no ISO 4217 minor unit");
        }
        return digits;
    }

    public Money plus(Money other) {
        requireSameCurrency(other);
        return new Money(amount.add(other.amount), currency);
    }

    /** {@code this − other}, floored at zero: what is still due never goes negative. */
    public Money minusFloorZero(Money other) {
        requireSameCurrency(other);
        return new Money(amount.subtract(other.amount).max(BigDecimal.ZERO), currency);
    }

    @JsonIgnore
    public boolean isZero() {
        return amount.signum() == 0;
    }

    @Override
    public int compareTo(Money other) {
        requireSameCurrency(other);
        return amount.compareTo(other.amount);
    }

    /** The amount with exactly the currency's decimals, e.g. {@code "99.00"}, {@code "1000"} for JPY. */
    public String toPlainString() {
        return amount.toPlainString();
    }

    @Override
    public String toString() {
        return toPlainString() + " " + currency.getCurrencyCode();
    }

    private void requireSameCurrency(Money other) {
        if (!currency.equals(other.currency)) {
            throw new IllegalArgumentException("currency mismatch: " + currency + " vs " + other.currency);
        }
    }

    /** A request amount that is not an acceptable decimal string; {@link #reason()} is machine-readable. */
    public static final class MoneyFormatException extends IllegalArgumentException {
        private final String reason;

        MoneyFormatException(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }
}
