package ledger.query.invoice;

import ledger.events.Ids;
import ledger.events.InvoiceId;
import ledger.support.auth.ApiPrincipal;
import ledger.support.auth.RequiresScope;
import ledger.support.auth.Scopes;
import ledger.support.web.ApiException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Merchant reads of invoices (SPEC §4.3). Another store's invoice is indistinguishable from none. */
@RestController
class InvoiceQueryController {

    private final JdbcTemplate jdbc;

    InvoiceQueryController(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/v1/invoices/{id}")
    @RequiresScope(Scopes.INVOICES_READ)
    ResponseEntity<String> get(@PathVariable String id, ApiPrincipal principal) {
        if (!Ids.isWellFormed(id, InvoiceId.PREFIX)) {
            throw ApiException.notFound("invoice: " + id);
        }
        String view = jdbc.query("SELECT view::text FROM invoice WHERE id = ? AND store_id = ?",
                rs -> rs.next() ? rs.getString(1) : null, id, principal.storeId().value());
        if (view == null) {
            throw ApiException.notFound("invoice: " + id);
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(view);
    }
}
