package ledger.query.checkout;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;
import ledger.events.CheckoutToken;
import ledger.events.InvoiceStatus;
import ledger.events.InvoiceView;

/**
 * What the buyer may see of an invoice — the page's figures and, as JSON, the status it polls. Built from the
 * merchant's view by leaving out metadata, callback_url, customer email, and every id. Amounts are the view's
 * strings, which {@link ledger.events.Money} already put at the currency's ISO scale ({@code "99.00"},
 * {@code "1000"} JPY, {@code "1.500"} BHD).
 *
 * <p>Only record components become JSON; the page's helpers are named without get/is so they stay out of it,
 * and are public because the template engine calls only public methods.
 */
record BuyerView(String storeName, String number, String description, String currency, String amount,
                 String amountCredited, String amountPaid, String amountRefunded, String amountDue,
                 InvoiceStatus status, LocalDate dueDate, boolean overdue, Instant expiresAt, boolean livemode,
                 String returnUrl, String reference, boolean hasReceipt) {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    /** How many characters of the token (after {@code ck_}) a buyer quotes when the merchant gave no order id. */
    private static final int TOKEN_REFERENCE_LENGTH = 12;

    /** What {@code ?error=<code>} — set by command-service's answer to a form posted without JavaScript — says. */
    private static final Map<String, String> ERRORS = Map.of(
            "cross_site_request", "The payment was refused because it was not sent from this page. Reload the page "
                    + "and try again.",
            "simulation_unavailable_in_live_mode", "Simulated payments exist only for test invoices.",
            "invoice_not_payable", "This invoice can no longer be paid.",
            "payment_reference_conflict", "This form was already submitted with another amount. Reload the page to "
                    + "pay again.",
            "parameter_invalid", "Enter the amount as a decimal number such as 10.00, with no more decimals than the "
                    + "currency has.",
            "rate_limited", "Too many attempts; wait a moment and try again.",
            "service_unavailable", "The ledger is briefly unavailable; try again in a moment.");
    private static final String UNKNOWN_ERROR = "The payment could not be recorded. Please try again.";

    static BuyerView of(InvoiceView invoice, CheckoutToken token, String storeName) {
        String orderId = invoice.externalOrderId();
        String reference = orderId != null && !orderId.isBlank() ? orderId
                : token.value().substring(3, 3 + TOKEN_REFERENCE_LENGTH);
        boolean paid = invoice.status() == InvoiceStatus.PAID || invoice.status() == InvoiceStatus.OVERPAID;
        return new BuyerView(storeName, invoice.number(), invoice.description(), invoice.currency(), invoice.amount(),
                invoice.amountCredited(), invoice.amountPaid(), invoice.amountRefunded(), invoice.amountDue(),
                invoice.status(), invoice.dueDate(), invoice.overdue(), invoice.expiresAt(), invoice.livemode(), paid ? invoice.returnUrl() : null, reference,
                !invoice.payments().isEmpty());
    }

    public boolean finalState() {
        return status.isFinal();
    }

    /**
     * Whether a payment can still be made: the deadline decides (SPEC §4.2), even before the expiry event
     * has arrived, so the page never offers a form the ledger would refuse.
     */
    boolean payable(Instant now) {
        return status.isPayable() && (!status.isCollecting() || now.isBefore(expiresAt)); // written off: no expiry
    }

    /** The due date, and that it has passed while something is still due. */
    public String dueDateText() {
        return dueDate == null ? "—" : dueDate + (overdue ? " (overdue)" : "");
    }

    public String expiresAtText() {
        return dateTime(expiresAt);
    }

    static String dateTime(Instant instant) {
        return DATE_TIME.format(instant);
    }

    /**
     * What the page's countdown shows: the time left; "expired" once the ledger expired it, even if this
     * service's clock has not quite reached {@code expires_at}; a dash once paid, cancelled or written off (an
     * uncollectible invoice no longer expires).
     */
    String countdown(Instant now) {
        if (status == InvoiceStatus.EXPIRED) {
            return "expired";
        }
        return status.isCollecting() ? countdown(expiresAt, now) : "—";
    }

    /** Time left until {@code expiresAt} as {@code 1 d 02:03:04} or {@code 02:03:04}; checkout.js counts the same way. */
    static String countdown(Instant expiresAt, Instant now) {
        long seconds = Duration.between(now, expiresAt).getSeconds();
        if (seconds <= 0) {
            return "expired";
        }
        long days = seconds / 86_400;
        String clock = "%02d:%02d:%02d".formatted(seconds % 86_400 / 3600, seconds % 3600 / 60, seconds % 60);
        return days > 0 ? days + " d " + clock : clock;
    }

    /**
     * {@code invoice-<reference>.pdf}: what the buyer knows the invoice by, never an internal id. The reference
     * may be the merchant's order id, any text, so only what is safe in a file name is kept.
     */
    String fileName(String kind) {
        String safe = reference.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[-.]+|-+$", "");
        return kind + (safe.isEmpty() ? "" : "-" + safe.substring(0, Math.min(64, safe.length()))) + ".pdf";
    }

    /** The message for an error code in the page's query; anything unrecognised gets a generic one, never echoed. */
    static String errorMessage(String code) {
        return code == null ? null : ERRORS.getOrDefault(code, UNKNOWN_ERROR);
    }

    /**
     * A fresh payment reference for the simulate form ({@code sim_} + 22 base64url characters): submitting the
     * same form twice is then the ledger's "same reference, same amount" no-op, never a second payment.
     */
    static String nonce() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "sim_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
