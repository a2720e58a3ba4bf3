package ledger.command.invoice.web;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Clock;
import ledger.command.axon.Commands;
import ledger.command.invoice.CancelInvoice;
import ledger.command.invoice.InvoiceNumbers;
import ledger.command.invoice.InvoiceRejected;
import ledger.command.invoice.MarkUncollectible;
import ledger.command.invoice.PaymentOutcome;
import ledger.command.invoice.RefundOutcome;
import ledger.events.Ids;
import ledger.events.InvoiceCreated;
import ledger.events.InvoiceId;
import ledger.events.InvoiceView;
import ledger.support.auth.ApiPrincipal;
import ledger.support.auth.RequiresScope;
import ledger.support.auth.Scopes;
import ledger.support.idempotency.Idempotency;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The merchant write API for invoices (SPEC §4.2). Reads are served by query-service; the invoice in
 * a write's response is the aggregate's own view right after the command, so it is exact at once and
 * costs no read of the events back.
 */
@RestController
class InvoiceController {

    /** Every write answers with the invoice's sequence, so a following read can wait for it (§4.2). */
    static final String LEDGER_VERSION = "Ledger-Version";

    private final Commands commands;
    private final Clock clock;
    private final InvoiceProperties properties;
    private final InvoiceNumbers numbers;

    InvoiceController(Commands commands, Clock clock, InvoiceProperties properties, InvoiceNumbers numbers) {
        this.commands = commands;
        this.clock = clock;
        this.properties = properties;
        this.numbers = numbers;
    }

    record PaymentResponse(InvoiceView.Payment payment, InvoiceView invoice) {
    }

    record RefundResponse(InvoiceView.Refund refund, InvoiceView invoice) {
    }

    record CreditNoteResponse(InvoiceView.CreditNote creditNote, InvoiceView invoice) {
    }

    @PostMapping("/v1/invoices")
    @RequiresScope(Scopes.INVOICES_WRITE)
    ResponseEntity<InvoiceView> create(@RequestBody CreateInvoiceRequest body, ApiPrincipal principal,
                                       HttpServletRequest request) {
        var command = InvoiceRequests.toCommand(body, principal, clock.instant(), properties);
        InvoiceCreated appended = commands.create(command);
        // Under an Idempotency-Key the request's transaction, which keeps the answer, is still open: the answer goes
        // with "number": null, V1004_1 writes the number into the kept answer as the event gets it at commit, and that
        // is what the client is sent. Taking it now would hold the store's numbering lock across the rest of the
        // request, and every keyed create of the store would queue behind it. Without a key the create has committed.
        InvoiceCreated created = Idempotency.answerCompletedAtCommit(request) ? appended
                : appended.withNumber(numbers.numberOf(appended.invoiceId()));
        return ResponseEntity.created(URI.create("/v1/invoices/" + created.invoiceId().value()))
                .header(LEDGER_VERSION, Long.toString(created.sequence()))
                .body(InvoiceView.created(created));
    }

    @PostMapping("/v1/invoices/{id}/payments")
    @RequiresScope(Scopes.PAYMENTS_WRITE)
    ResponseEntity<PaymentResponse> pay(@PathVariable String id, @RequestBody PaymentRequest body,
                                        ApiPrincipal principal) {
        var invoice = invoiceId(id);
        PaymentOutcome outcome = commands.send(InvoiceRequests.toCommand(invoice, body, principal,
                clock.instant()));
        var view = outcome.invoice();
        var payment = view.payment(outcome.paymentId().value()).orElseThrow();
        return ResponseEntity.status(outcome.recorded() ? HttpStatus.CREATED : HttpStatus.OK)
                .header(LEDGER_VERSION, Long.toString(view.version()))
                .body(new PaymentResponse(payment, view));
    }

    @PostMapping("/v1/invoices/{id}/cancel")
    @RequiresScope(Scopes.INVOICES_WRITE)
    ResponseEntity<InvoiceView> cancel(@PathVariable String id, @RequestBody(required = false) CancelRequest body,
                                       ApiPrincipal principal) {
        var invoice = invoiceId(id);
        String reason = body == null ? null : body.reason();
        InvoiceRequests.requireLength("reason", reason, 255);
        InvoiceView view = commands.send(new CancelInvoice(invoice, principal.storeId(), principal.livemode(),
                reason));
        return ResponseEntity.ok().header(LEDGER_VERSION, Long.toString(view.version())).body(view);
    }

    @PostMapping("/v1/invoices/{id}/mark_uncollectible")
    @RequiresScope(Scopes.INVOICES_WRITE)
    ResponseEntity<InvoiceView> markUncollectible(@PathVariable String id, ApiPrincipal principal) {
        InvoiceView view = commands.send(new MarkUncollectible(invoiceId(id), principal.storeId(),
                principal.livemode()));
        return ResponseEntity.ok().header(LEDGER_VERSION, Long.toString(view.version())).body(view);
    }

    /** 201 with a new refund; 200 with the earlier one when its reference and amount were sent before. */
    @PostMapping("/v1/invoices/{id}/refunds")
    @RequiresScope(Scopes.PAYMENTS_WRITE)
    ResponseEntity<RefundResponse> refund(@PathVariable String id, @RequestBody RefundRequest body,
                                          ApiPrincipal principal) {
        RefundOutcome outcome = commands.send(InvoiceRequests.toCommand(invoiceId(id), body, principal));
        var view = outcome.invoice();
        var refund = view.refund(outcome.refundId().value()).orElseThrow();
        return ResponseEntity.status(outcome.issued() ? HttpStatus.CREATED : HttpStatus.OK)
                .header(LEDGER_VERSION, Long.toString(view.version()))
                .body(new RefundResponse(refund, view));
    }

    @PostMapping("/v1/invoices/{id}/credit_notes")
    @RequiresScope(Scopes.INVOICES_WRITE)
    ResponseEntity<CreditNoteResponse> creditNote(@PathVariable String id, @RequestBody CreditNoteRequest body,
                                                  ApiPrincipal principal) {
        InvoiceView view = commands.send(InvoiceRequests.toCommand(invoiceId(id), body, principal));
        // the command appends exactly one credit note or is refused (a repeat is the Idempotency-Key's to answer)
        var note = view.creditNotes().get(view.creditNotes().size() - 1);
        return ResponseEntity.status(HttpStatus.CREATED).header(LEDGER_VERSION, Long.toString(view.version()))
                .body(new CreditNoteResponse(note, view));
    }

    private static InvoiceId invoiceId(String id) {
        if (!Ids.isWellFormed(id, InvoiceId.PREFIX)) {
            throw new InvoiceRejected(InvoiceRejected.NOT_FOUND, "No such invoice: " + id, "id");
        }
        return new InvoiceId(id);
    }
}
