package ledger.command.invoice.web;

import java.net.URI;
import java.time.Clock;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceView;
import ledger.support.auth.ApiPrincipal;
import ledger.support.auth.RequiresScope;
import ledger.support.auth.Scopes;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The merchant write API for invoices (SPEC §4.2). Reads are served by query-service. */
@RestController
class InvoiceController {

    /** Every write answers with the invoice's sequence, so a following read can wait for it (§4.2). */
    static final String LEDGER_VERSION = "Ledger-Version";

    private final CommandGateway commands;
    private final Clock clock;
    private final InvoiceProperties properties;

    InvoiceController(CommandGateway commands, Clock clock, InvoiceProperties properties) {
        this.commands = commands;
        this.clock = clock;
        this.properties = properties;
    }

    @PostMapping("/v1/invoices")
    @RequiresScope(Scopes.INVOICES_WRITE)
    ResponseEntity<InvoiceView> create(@RequestBody CreateInvoiceRequest body, ApiPrincipal principal) {
        var command = InvoiceRequests.toCommand(body, principal, clock.instant(), properties);
        InvoiceCreated created = commands.sendAndWait(command);
        return ResponseEntity.created(URI.create("/v1/invoices/" + created.invoiceId().value()))
                .header(LEDGER_VERSION, Long.toString(created.sequence()))
                .body(InvoiceView.created(created));
    }
}
