package ledger.command.invoice.web;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** The body of {@code POST /v1/invoices} (SPEC §4.2), as received; {@link InvoiceRequests} validates it. */
record CreateInvoiceRequest(
        String amount,
        String currency,
        List<Line> lineItems,
        String externalOrderId,
        String description,
        String customerEmail,
        LocalDate dueDate,
        Long expiresIn,
        Instant expiresAt,
        String callbackUrl,
        String returnUrl,
        Map<String, Object> metadata,
        String storeId) {

    /** One of {@code line_items}: decimal strings, as received. */
    record Line(String description, String quantity, String unitAmount, String discountPercent, String taxPercent) {
    }
}
