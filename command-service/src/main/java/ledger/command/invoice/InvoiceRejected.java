package ledger.command.invoice;

/**
 * A command the invoice refuses in its current state. {@code code} is the API's machine code
 * (SPEC §4.2); the web layer picks the HTTP status.
 */
public class InvoiceRejected extends RuntimeException {

    public static final String NOT_FOUND = "resource_missing";
    public static final String CURRENCY_MISMATCH = "currency_mismatch";
    public static final String NOT_PAYABLE = "invoice_not_payable";
    public static final String NOT_CANCELLABLE = "invoice_not_cancellable";
    public static final String NOT_MARKABLE_UNCOLLECTIBLE = "invoice_not_markable_uncollectible";
    public static final String NOT_CREDITABLE = "invoice_not_creditable";
    public static final String REFERENCE_CONFLICT = "payment_reference_conflict";
    public static final String REFUND_REFERENCE_CONFLICT = "refund_reference_conflict";
    /** A refund beyond what was received and not yet refunded, or a credit note beyond what is due. */
    public static final String AMOUNT_TOO_LARGE = "amount_too_large";
    /** A field the invoice's own state decides about, such as an amount's decimals in the invoice's currency. */
    public static final String PARAMETER_INVALID = "parameter_invalid";
    public static final String DUPLICATE_EXTERNAL_ORDER_ID = "duplicate_external_order_id";

    private final String code;
    private final String param;

    public InvoiceRejected(String code, String message, String param) {
        super(message);
        this.code = code;
        this.param = param;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }
}
