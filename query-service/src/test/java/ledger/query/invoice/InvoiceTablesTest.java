package ledger.query.invoice;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
    void theRebuildsRowHasTheLiveRowsValuesWithTheViewsJsonAsUtf8() {
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
        Object[] live = InvoiceTables.Row.of("st_1", view).values();

        assertThat(copied[12]).isInstanceOf(byte[].class);
        copied[12] = new String((byte[]) copied[12], StandardCharsets.UTF_8);
        assertThat(live).allMatch(value -> value == null || value instanceof String);
        assertThat(copied).containsExactly(live);
        assertThat((String) live[13]).startsWith("ck_"); // the checkout token, taken from the URL
        assertThat(live[15]).isEqualTo("INV-000042");
    }
}
