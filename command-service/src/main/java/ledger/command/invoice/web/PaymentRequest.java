package ledger.command.invoice.web;

import java.time.OffsetDateTime;

/** The body of {@code POST /v1/invoices/{id}/payments} (SPEC §4.2). */
record PaymentRequest(String amount, String currency, String reference, String method, OffsetDateTime receivedAt) {
}
