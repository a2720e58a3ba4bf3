package ledger.command.invoice.web;

import java.time.LocalDate;
import java.time.OffsetDateTime;
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
        OffsetDateTime expiresAt,
        String callbackUrl,
        String returnUrl,
        Map<String, Object> metadata,
        String storeId) {
}
