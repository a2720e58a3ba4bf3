package ledger.command.invoice;

import java.util.Optional;
import ledger.events.CheckoutToken;
import ledger.events.InvoiceId;
import ledger.events.StoreId;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

@Component
class JdbcCheckoutTokens implements CheckoutTokens {

    private final JdbcTemplate jdbc;

    JdbcCheckoutTokens(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void record(CheckoutToken token, Owner owner) {
        jdbc.update("INSERT INTO checkout_token (token, invoice_id, store_id, livemode) VALUES (?, ?, ?, ?)",
                token.value(), owner.invoiceId().value(), owner.storeId().value(), owner.livemode());
    }

    @Override
    public Optional<Owner> find(CheckoutToken token) {
        return jdbc.query("SELECT invoice_id, store_id, livemode FROM checkout_token WHERE token = ?",
                (row, n) -> new Owner(new InvoiceId(row.getString(1)), new StoreId(row.getString(2)),
                        row.getBoolean(3)), token.value()).stream().findFirst();
    }
}
