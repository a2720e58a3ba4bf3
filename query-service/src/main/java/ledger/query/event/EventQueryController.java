package ledger.query.event;

import com.fasterxml.jackson.databind.util.RawValue;
import java.util.ArrayList;
import java.util.List;
import ledger.events.EventId;
import ledger.events.Ids;
import ledger.events.InvoiceId;
import ledger.query.invoice.ReadYourWrites;
import ledger.query.web.CreatedRange;
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
 * The ledger of the key's store and mode (SPEC §3, §4.4): the events feed newest first in commit order
 * ({@code position}, the event store's global index), one event, and one invoice's history oldest first.
 * The other mode's events answer like missing ones.
 */
@RestController
class EventQueryController {

    private static final KeysetPage PAGE = new KeysetPage("ledger_event", "event_id", "position, received_seq", "event");
    private static final KeysetPage HISTORY = new KeysetPage("ledger_event", "event_id", "sequence", "event", false);

    private final JdbcTemplate jdbc;
    private final ReadYourWrites readYourWrites;

    EventQueryController(JdbcTemplate jdbc, ReadYourWrites readYourWrites) {
        this.jdbc = jdbc;
        this.readYourWrites = readYourWrites;
    }

    @GetMapping("/v1/events")
    @RequiresScope(Scopes.EVENTS_READ)
    ApiList<RawValue> list(@RequestParam(required = false) Integer limit,
                           @RequestParam(name = "starting_after", required = false) String startingAfter,
                           @RequestParam(name = "ending_before", required = false) String endingBefore,
                           @RequestParam(required = false) String type,
                           @RequestParam(required = false) String invoice,
                           CreatedRange created, ApiPrincipal principal) {
        var params = ListParams.of(limit, startingAfter, endingBefore);
        var where = new StringBuilder();
        var args = new ArrayList<Object>();
        EventFilters.appendTo(type, invoice, where, args);
        created.appendTo("occurred_at", where, args);
        return PAGE.fetch(jdbc, EventRow.COLUMNS, principal, where.toString(), args, params,
                (rs, i) -> new RawValue(EventRow.read(rs).json()));
    }

    @GetMapping("/v1/events/{id}")
    @RequiresScope(Scopes.EVENTS_READ)
    ResponseEntity<String> get(@PathVariable String id, ApiPrincipal principal) {
        if (!Ids.isWellFormed(id, EventId.PREFIX)) {
            throw ApiException.notFound("event: " + id);
        }
        List<EventRow> rows = jdbc.query("SELECT " + EventRow.COLUMNS
                        + " FROM ledger_event WHERE event_id = ? AND store_id = ? AND livemode = ?",
                (rs, i) -> EventRow.read(rs), id, principal.storeId().value(), principal.livemode());
        if (rows.isEmpty()) {
            throw ApiException.notFound("event: " + id);
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(rows.get(0).json());
    }

    /** The invoice's history, oldest first, a page at a time like every list. */
    @GetMapping("/v1/invoices/{id}/events")
    @RequiresScope(Scopes.INVOICES_READ)
    ResponseEntity<ApiList<RawValue>> invoiceHistory(
            @PathVariable String id,
            @RequestParam(required = false) Integer limit,
            @RequestParam(name = "starting_after", required = false) String startingAfter,
            @RequestParam(name = "ending_before", required = false) String endingBefore,
            @RequestHeader(name = ReadYourWrites.VERSION_HEADER, required = false) String version,
            ApiPrincipal principal) {
        var params = ListParams.of(limit, startingAfter, endingBefore);
        if (!Ids.isWellFormed(id, InvoiceId.PREFIX)) {
            throw ApiException.notFound("invoice: " + id);
        }
        var headers = new HttpHeaders();
        readYourWrites.await(id, principal, version, headers);
        // A page may be empty (past the last event); an invoice without events in this ledger is none.
        Boolean exists = jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM ledger_event WHERE invoice_id = ? AND store_id = ? AND livemode = ?)",
                Boolean.class, id, principal.storeId().value(), principal.livemode());
        if (!Boolean.TRUE.equals(exists)) {
            throw ApiException.notFound("invoice: " + id);
        }
        var page = HISTORY.fetch(jdbc, EventRow.COLUMNS, principal, " AND invoice_id = ?", List.of(id), params,
                (rs, i) -> new RawValue(EventRow.read(rs).json()));
        return ResponseEntity.ok().headers(headers).body(page);
    }
}
