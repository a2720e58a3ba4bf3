package ledger.command.invoice.web;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Clock;
import java.util.regex.Pattern;
import ledger.command.axon.Commands;
import ledger.command.invoice.CheckoutTokens;
import ledger.command.invoice.InvoiceRejected;
import ledger.command.invoice.PaymentOutcome;
import ledger.events.CheckoutToken;
import ledger.events.InvoiceStatus;
import ledger.events.InvoiceView;
import ledger.support.web.ApiException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The hosted page's "simulate payment" form (SPEC §8): on a test invoice, whoever holds its checkout link
 * records a payment through the same {@code PayInvoice} as the merchant API, so {@code PaymentReceived} and
 * the merchant's webhooks happen exactly as for a real payment. The link's token is the only credential
 * (no API key is asked for here). The form's {@code reference} is a nonce the page renders, and it becomes
 * the payment's reference: a form submitted twice is the API's repeated reference, a no-op.
 *
 * <p>The page's script asks for JSON; a browser without JavaScript gets a 303 back to the page, which
 * shows an error named by {@code ?error=<code>}. Requests from another site and unknown tokens are
 * refused outright, never redirected.
 */
@RestController
class CheckoutPaymentController {

    static final String SIMULATION_UNAVAILABLE = "simulation_unavailable_in_live_mode";
    static final String CROSS_SITE = "cross_site_request";
    /** What the page renders into its form: {@code sim_} and 22 base64url characters. */
    private static final Pattern NONCE = Pattern.compile("sim_[A-Za-z0-9_-]{22}");
    private static final String METHOD = "test_simulation";

    /** What the page's script needs to show the outcome at once. */
    record Simulated(InvoiceStatus status, String amountPaid, String amountDue, String currency) {
    }

    private final Commands commands;
    private final CheckoutTokens tokens;
    private final InvoiceHistory history;
    private final Clock clock;

    CheckoutPaymentController(Commands commands, CheckoutTokens tokens, InvoiceHistory history, Clock clock) {
        this.commands = commands;
        this.tokens = tokens;
        this.history = history;
        this.clock = clock;
    }

    @PostMapping(path = "/checkout/{token}/payments",
            consumes = {MediaType.APPLICATION_FORM_URLENCODED_VALUE, MediaType.MULTIPART_FORM_DATA_VALUE})
    ResponseEntity<Simulated> simulate(@PathVariable String token, @RequestParam(required = false) String amount,
                                       @RequestParam(required = false) String reference, HttpServletRequest request) {
        if (!SameOrigin.allows(request)) {
            throw new ApiException(HttpStatus.FORBIDDEN, CROSS_SITE,
                    "Payments can be simulated only from the invoice's own page");
        }
        var owner = CheckoutToken.parse(token).flatMap(tokens::find)
                .orElseThrow(() -> ApiException.notFound("checkout page"));
        try {
            var view = pay(owner, amount, reference);
            if (!wantsJson(request)) {
                return ResponseEntity.status(HttpStatus.SEE_OTHER).location(page(token, null)).build();
            }
            return ResponseEntity.ok().header(InvoiceController.LEDGER_VERSION, Long.toString(view.version()))
                    .body(new Simulated(view.status(), view.amountPaid(), view.amountDue(), view.currency()));
        } catch (ApiException | InvoiceRejected refused) {
            var error = refused instanceof InvoiceRejected rejected ? InvoiceErrors.toApi(rejected) : (ApiException) refused;
            if (wantsJson(request)) {
                throw error;
            }
            return ResponseEntity.status(HttpStatus.SEE_OTHER).location(page(token, error.code())).build();
        }
    }

    private InvoiceView pay(CheckoutTokens.Owner owner, String amount, String reference) {
        if (owner.livemode()) {
            throw new ApiException(HttpStatus.FORBIDDEN, SIMULATION_UNAVAILABLE,
                    "Live invoices are paid for real; only test invoices can simulate a payment");
        }
        if (reference != null && !reference.isEmpty() && !NONCE.matcher(reference).matches()) {
            // Simulated references keep to their own namespace: a buyer cannot take a merchant's reference.
            throw ApiException.invalid("reference", "reference must be the nonce the checkout page rendered");
        }
        var before = history.current(owner.invoiceId());
        if (amount == null || amount.isBlank()) {
            if (!before.status().isPayable()) {
                throw new InvoiceRejected(InvoiceRejected.NOT_PAYABLE, "The invoice is " + before.status().wireName(),
                        null);
            }
            amount = before.amountDue(); // an empty amount pays what is due
        }
        var body = new PaymentRequest(amount, before.currency(), reference, METHOD, null);
        PaymentOutcome outcome = commands.send(InvoiceRequests.toCommand(owner, body, clock.instant()));
        return outcome.invoice();
    }

    /** The page's fetch asks for JSON by name; a browser's own form post accepts HTML (and anything). */
    private static boolean wantsJson(HttpServletRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (accept == null) {
            return false;
        }
        try {
            return MediaType.parseMediaTypes(accept).stream().anyMatch(MediaType.APPLICATION_JSON::equalsTypeAndSubtype);
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    /** Relative, so the browser stays on the host it posted to (the gateway's). */
    private static URI page(String token, String error) {
        var page = UriComponentsBuilder.fromPath("/checkout/{token}");
        if (error != null) {
            page.queryParam("error", error);
        }
        return page.buildAndExpand(token).encode().toUri();
    }
}
