package ledger.query.checkout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import java.time.Clock;
import java.time.Instant;
import java.util.function.BiFunction;
import ledger.events.CheckoutToken;
import ledger.events.InvoiceView;
import ledger.events.LedgerJson;
import ledger.events.StoreId;
import ledger.support.auth.AccessRecord;
import ledger.support.auth.AccessRegistry;
import ledger.support.web.ApiException;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.ModelAndView;

/**
 * The hosted invoice page and what it links to, found by the checkout token alone. A token that is malformed,
 * unknown, or an invoice id answers the same 404 page, so nothing tells whether an invoice exists.
 */
@Controller
class CheckoutController {

    private static final ObjectReader VIEW = LedgerJson.mapper().readerFor(InvoiceView.class);

    private final JdbcTemplate jdbc;
    private final AccessRegistry registry;
    private final Clock clock;

    CheckoutController(JdbcTemplate jdbc, AccessRegistry registry, Clock clock) {
        this.jdbc = jdbc;
        this.registry = registry;
        this.clock = clock;
    }

    /** One invoice as the buyer sees it, and the merchant's view it came from (for the PDFs' payments and dates). */
    private record Found(CheckoutToken token, BuyerView view, InvoiceView invoice) {
    }

    @GetMapping("/checkout/{token}")
    ModelAndView page(@PathVariable String token, @RequestParam(required = false) String error) {
        Found found = find(token);
        Instant now = clock.instant();
        var page = new ModelAndView("checkout/page");
        page.addObject("view", found.view());
        page.addObject("lines", found.invoice().lineItems());
        page.addObject("token", found.token().value());
        page.addObject("payable", found.view().payable(now));
        page.addObject("countdown", found.view().countdown(now));
        page.addObject("nonce", BuyerView.nonce());
        page.addObject("error", BuyerView.errorMessage(error));
        return page;
    }

    /** What the open page polls every second; JSON, so a miss is the API's JSON 404. */
    @GetMapping("/checkout/{token}/status")
    @ResponseBody
    BuyerView status(@PathVariable String token) {
        try {
            return find(token).view();
        } catch (NoSuchCheckout e) {
            throw ApiException.notFound("checkout page");
        }
    }

    @GetMapping("/checkout/{token}/invoice.pdf")
    ResponseEntity<byte[]> invoicePdf(@PathVariable String token) {
        return pdf(find(token), "invoice", CheckoutPdfs::invoice);
    }

    /** Only once money was received: before that there is nothing to acknowledge. */
    @GetMapping("/checkout/{token}/receipt.pdf")
    ResponseEntity<byte[]> receiptPdf(@PathVariable String token) {
        Found found = find(token);
        if (!found.view().hasReceipt()) {
            throw new NoSuchCheckout();
        }
        return pdf(found, "receipt", CheckoutPdfs::receipt);
    }

    private static ResponseEntity<byte[]> pdf(Found found, String kind,
                                              BiFunction<BuyerView, InvoiceView, byte[]> render) {
        String name = found.view().fileName(kind);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_PDF)
                .header("Content-Disposition", ContentDisposition.inline().filename(name).build().toString())
                .body(render.apply(found.view(), found.invoice()));
    }

    @ExceptionHandler(NoSuchCheckout.class)
    ModelAndView notFound() {
        return new ModelAndView("checkout/not-found", HttpStatus.NOT_FOUND);
    }

    private Found find(String raw) {
        CheckoutToken token = CheckoutToken.parse(raw).orElseThrow(NoSuchCheckout::new);
        var row = jdbc.query("SELECT store_id, view::text FROM invoice WHERE checkout_token = ?",
                rs -> rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null, token.value());
        if (row == null) {
            throw new NoSuchCheckout();
        }
        InvoiceView invoice;
        try {
            invoice = VIEW.readValue(row[1]);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored invoice view is unreadable", e);
        }
        String storeName = registry.store(new StoreId(row[0])).map(AccessRecord.Store::name).orElse(null);
        return new Found(token, BuyerView.of(invoice, token, storeName), invoice);
    }

    /** No page behind this token; answered with the 404 page. */
    private static final class NoSuchCheckout extends RuntimeException {
        NoSuchCheckout() {
            super(null, null, false, false);
        }
    }
}
