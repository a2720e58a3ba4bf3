package ledger.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Currency;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MoneyTest {

    static final Currency USD = Currency.getInstance("USD");

    @ParameterizedTest
    @CsvSource({"USD,99,99.00", "USD,99.5,99.50", "USD,0.01,0.01", "JPY,1000,1000", "BHD,1.5,1.500",
            "BHD,0.001,0.001", "USD,99.000,99.00", "KWD,12.345,12.345"})
    void printsExactlyTheCurrencyScale(String currency, String input, String expected) {
        assertThat(Money.parse(input, Currency.getInstance(currency)).toPlainString()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"USD,0.001", "JPY,1.5", "BHD,0.0001"})
    void refusesMoreDecimalsThanTheCurrencyAllows(String currency, String input) {
        assertThatThrownBy(() -> Money.parse(input, Currency.getInstance(currency)))
                .isInstanceOfSatisfying(Money.MoneyFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo("too_many_decimals"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e3", "1E3", "-1.00", "+1.00", "", " 1", "1.", ".5", "abc", "1,00", "NaN", "0x10"})
    void refusesAnythingButAPlainDecimal(String input) {
        assertThatThrownBy(() -> Money.parse(input, USD))
                .isInstanceOfSatisfying(Money.MoneyFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo("not_a_decimal"));
    }

    @Test
    void valuesAtDifferentScalesAreEqualOnceNormalised() {
        assertThat(new Money(new BigDecimal("5"), USD)).isEqualTo(new Money(new BigDecimal("5.00"), USD));
    }

    @Test
    void arithmeticIsExactAndDueNeverGoesNegative() {
        var tenth = Money.parse("0.10", USD);
        var sum = Money.zero(USD);
        for (int i = 0; i < 10; i++) {
            sum = sum.plus(tenth);
        }
        assertThat(sum.toPlainString()).isEqualTo("1.00");
        assertThat(Money.parse("1.00", USD).minusFloorZero(Money.parse("1.50", USD)).toPlainString())
                .isEqualTo("0.00");
    }

    @Test
    void refusesNegativeAmountsMixedCurrenciesAndCurrenciesWithoutMinorUnits() {
        assertThatThrownBy(() -> new Money(new BigDecimal("-0.01"), USD)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Money.zero(USD).plus(Money.zero(Currency.getInstance("EUR"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Money.zero(Currency.getInstance("XXX"))).isInstanceOf(IllegalArgumentException.class);
    }
}
