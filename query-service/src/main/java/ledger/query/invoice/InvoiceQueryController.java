package ledger.query.invoice;

import jakarta.servlet.http.HttpServletResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import ledger.events.Ids;
import ledger.events.InvoiceId;
import ledger.events.InvoiceStatus;
import ledger.events.InvoiceView;
import ledger.events.LedgerJson;
import ledger.query.ledger.LedgerEvents;
import ledger.query.web.CreatedRange;
import ledger.query.web.Instants;
import ledger.query.web.KeysetPage;
import ledger.support.auth.ApiPrincipal;
import ledger.support.auth.RequiresScope;
import ledger.support.auth.Scopes;
import ledger.support.web.ApiException;
import ledger.support.web.ApiList;
import ledger.support.web.ListParams;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Merchant reads of invoices (SPEC §4.3): one invoice (now, or {@code as_of} an instant), its
 * checkout status, and the ledger's invoices as a cursor list. Every read is scoped by the key's store and
 * mode (SPEC §3): another store's or the other mode's invoice is indistinguishable from none.
 */
@RestController
class InvoiceQueryController {

    private static final ObjectMapper JSON = LedgerJson.mapper();
    private static final KeysetPage PAGE = new KeysetPage("invoice", "id", "created_at, id", "invoice");

    private final JdbcTemplate jdbc;
    private final LedgerEvents ledger;
    private final ReadYourWrites readYourWrites;
    private final Clock clock;

    InvoiceQueryController(JdbcTemplate jdbc, LedgerEvents ledger, ReadYourWrites readYourWrites, Clock clock) {
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.readYourWrites = readYourWrites;
        this.clock = clock;
    }

    @GetMapping("/v1/invoices/{id}")
    @RequiresScope(Scopes.INVOICES_READ)
    ResponseEntity<String> get(@PathVariable String id, @RequestParam(name = "as_of", required = false) String asOf,
                               @RequestHeader(name = ReadYourWrites.VERSION_HEADER, required = false) String version,
                               ApiPrincipal principal, HttpServletResponse response) {
        Instant instant = Instants.asOf("as_of", asOf, clock);
        requireWellFormed(id);
        var headers = new HttpHeaders();
        readYourWrites.await(id, principal, version, headers);
        String body;
        long atVersion;
        if (instant == null) {
            var row = jdbc.query(
                    "SELECT view::text, version FROM invoice WHERE id = ? AND store_id = ? AND livemode = ?",
                    rs -> rs.next() ? new Object[] {rs.getString(1), rs.getLong(2)} : null, id,
                    principal.storeId().value(), principal.livemode());
            if (row == null) {
                throw notYetOrNever(id, headers, response);
            }
            body = (String) row[0];
            atVersion = (Long) row[1];
        } else {
            InvoiceView view = InvoiceView.foldGapFree(ledger.historyAsOf(id, principal, instant))
                    .orElseThrow(() -> ApiException.notFound("invoice: " + id + " as of " + asOf));
            body = InvoiceTables.Row.of(principal.storeId().value(), view).json();
            atVersion = view.version();
        }
        headers.set(ReadYourWrites.VERSION_HEADER, Long.toString(atVersion));
        return ResponseEntity.ok().headers(headers).contentType(MediaType.APPLICATION_JSON).body(body);
    }

    /** What a checkout page polls: small, and answered from the same read model. */
    @GetMapping("/v1/invoices/{id}/status")
    @RequiresScope(Scopes.INVOICES_READ)
    ResponseEntity<JsonNode> status(@PathVariable String id,
                                    @RequestHeader(name = ReadYourWrites.VERSION_HEADER, required = false) String version,
                                    ApiPrincipal principal, HttpServletResponse response)
            throws JsonProcessingException {
        requireWellFormed(id);
        var headers = new HttpHeaders();
        readYourWrites.await(id, principal, version, headers);
        String view = jdbc.query("SELECT view::text FROM invoice WHERE id = ? AND store_id = ? AND livemode = ?",
                rs -> rs.next() ? rs.getString(1) : null, id, principal.storeId().value(), principal.livemode());
        if (view == null) {
            throw notYetOrNever(id, headers, response);
        }
        JsonNode full = JSON.readTree(view);
        ObjectNode status = JSON.createObjectNode();
        status.set("id", full.get("id"));
        status.put("object", "invoice_status");
        for (String field : List.of("status", "amount_due", "currency", "expires_at", "return_url")) {
            status.set(field, full.get(field));
        }
        headers.set(ReadYourWrites.VERSION_HEADER, full.get("version").asText());
        return ResponseEntity.ok().headers(headers).body(status);
    }

    @GetMapping("/v1/invoices")
    @RequiresScope(Scopes.INVOICES_READ)
    ApiList<RawValue> list(@RequestParam(required = false) Integer limit,
                           @RequestParam(name = "starting_after", required = false) String startingAfter,
                           @RequestParam(name = "ending_before", required = false) String endingBefore,
                           @RequestParam(required = false) String status,
                           @RequestParam(name = "external_order_id", required = false) String externalOrderId,
                           @RequestParam(required = false) String number,
                           @RequestParam(required = false) String overdue,
                           CreatedRange created, ApiPrincipal principal) {
        var params = ListParams.of(limit, startingAfter, endingBefore);
        var where = new StringBuilder();
        var args = new ArrayList<Object>();
        if (status != null) {
            where.append(" AND status = ?");
            args.add(status(status).wireName());
        }
        if (externalOrderId != null) {
            where.append(" AND external_order_id = ?");
            args.add(externalOrderId);
        }
        if (number != null) {
            where.append(" AND number = ?");
            args.add(number);
        }
        if (overdue != null) {
            where.append(overdue(overdue) ? " AND overdue" : " AND NOT overdue");
        }
        created.appendTo("created_at", where, args);
        return PAGE.fetch(jdbc, "view::text", principal, where.toString(), args, params,
                (rs, i) -> new RawValue(rs.getString(1)));
    }

    private static InvoiceStatus status(String value) {
        try {
            return InvoiceStatus.fromWire(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("status",
                    "status must be one of open, partially_paid, paid, overpaid, cancelled, expired");
        }
    }

    /** Strictly {@code true} or {@code false} (SPEC §4.1): anything else is refused, not read as false. */
    private static boolean overdue(String value) {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.invalid("overdue", "overdue must be true or false");
        };
    }

    private static void requireWellFormed(String id) {
        if (!Ids.isWellFormed(id, InvoiceId.PREFIX)) {
            throw ApiException.notFound("invoice: " + id);
        }
    }

    /**
     * A 404 after a {@code Ledger-Version} wait that timed out may only mean "not projected yet": say so
     * with {@code Ledger-Stale: true}, set on the response itself so the error answer keeps it.
     */
    private static ApiException notYetOrNever(String id, HttpHeaders waited, HttpServletResponse response) {
        if (waited.containsKey(ReadYourWrites.STALE_HEADER)) {
            response.setHeader(ReadYourWrites.STALE_HEADER, "true");
        }
        return ApiException.notFound("invoice: " + id);
    }
}
