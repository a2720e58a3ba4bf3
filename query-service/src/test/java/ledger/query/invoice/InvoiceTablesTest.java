package ledger.query.invoice;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import ledger.events.CheckoutToken;
import ledger.events.EventId;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.InvoiceView;
import ledger.events.Money;
import ledger.events.StoreId;
import org.junit.jupiter.api.Test;

class InvoiceTablesTest {

    @Test
    void theRebuildsRowHasTheLiveRowsValuesTypedForBinaryCopyWithTheViewsJsonAsUtf8() {
        var eur = Currency.getInstance("EUR");
        var amount = Money.parse("1234.50", eur);
        var id = InvoiceId.generate();
        var created = new InvoiceCreated(EventId.generate(), id, new StoreId("st_1"), 1,
                Instant.parse("2026-12-06T10:15:30.123Z"), "INV-000042", amount, List.of(), "order-\"7\"",
                "Müller \\ Söhne – Rechnung 😀", "buyer@example.com", Map.of("note", "tab\there"),
                "http://localhost:8080/checkout/" + CheckoutToken.generate().value(), null, null, null, null, true,
                InvoiceStatus.OPEN, Money.zero(eur), amount);
        InvoiceView view = InvoiceView.foldGapFree(List.of(created)).orElseThrow();

        Object[] copied = InvoiceTables.copyValues("st_1", view);
        String[] live = InvoiceTables.Row.of("st_1", view).values();

        assertThat(Arrays.stream(copied).map(value -> value == null ? null : (Object) value.getClass()))
                .containsExactly(String.class, String.class, Boolean.class, String.class, String.class,
                        BigDecimal.class, BigDecimal.class, BigDecimal.class, String.class, Instant.class,
                        Instant.class, Long.class, byte[].class, String.class, Boolean.class, String.class);
        assertThat(new String((byte[]) copied[12], StandardCharsets.UTF_8)).isEqualTo(live[12]);
        assertThat(copied[5]).isEqualTo(new BigDecimal("1234.50"));
        assertThat(copied[9]).isEqualTo(Instant.parse("2026-12-06T10:15:30.123Z"));
        assertThat(live).containsExactly(view.id(), "st_1", "true", "open", "EUR", "1234.50", "0.00", "1234.50",
                "order-\"7\"", "2026-12-06T10:15:30.123Z", "2026-12-06T10:15:30.123Z", "1", live[12], live[13],
                "false", "INV-000042");
        assertThat(live[13]).startsWith("ck_"); // the checkout token, taken from the URL
        assertThat(live[15]).isEqualTo("INV-000042");
    }
}
