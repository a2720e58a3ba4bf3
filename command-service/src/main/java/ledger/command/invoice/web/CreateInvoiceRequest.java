package ledger.command.invoice.web;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/** The body of {@code POST /v1/invoices} (SPEC §4.2), as received; {@link InvoiceRequests} validates it. */
record CreateInvoiceRequest(
        String amount,
        String currency,
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
}
