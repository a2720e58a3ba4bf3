package ledger.query.invoice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import ledger.events.StoreId;
import ledger.query.InvoiceHistory;
import org.junit.jupiter.api.Test;

class InvoiceFoldTest {

    static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void foldsTheWholeGapFreeHistory() {
        var invoice = InvoiceHistory.of(StoreId.generate(), "10.00", "USD");
        var c = invoice.create(T, null, T.plusSeconds(60));
        var p = invoice.pay("4.00", T.plusSeconds(1));
        var view = InvoiceFold.fold(List.of(c, p)).orElseThrow();
        assertThat(view.version()).isEqualTo(2);
        assertThat(view.amountDue()).isEqualTo("6.00");
    }

    @Test
    void stopsAtAGapSoNoVersionIsClaimedWithoutItsPredecessors() {
        var invoice = InvoiceHistory.of(StoreId.generate(), "10.00", "USD");
        var c = invoice.create(T, null, T.plusSeconds(60));
        invoice.pay("4.00", T.plusSeconds(1));
        var p2 = invoice.pay("1.00", T.plusSeconds(2));
        var view = InvoiceFold.fold(List.of(c, p2)).orElseThrow();
        assertThat(view.version()).isEqualTo(1);
        assertThat(view.payments()).isEmpty();
    }

    @Test
    void nothingWithoutTheCreation() {
        var invoice = InvoiceHistory.of(StoreId.generate(), "10.00", "USD");
        invoice.create(T, null, T.plusSeconds(60));
        var p = invoice.pay("4.00", T.plusSeconds(1));
        assertThat(InvoiceFold.fold(List.of(p))).isEmpty();
        assertThat(InvoiceFold.fold(List.of())).isEmpty();
    }
}
