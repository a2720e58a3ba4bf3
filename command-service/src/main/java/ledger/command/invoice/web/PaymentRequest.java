package ledger.command.invoice.web;

import java.time.Instant;

/** The body of {@code POST /v1/invoices/{id}/payments} (SPEC §4.2). */
record PaymentRequest(String amount, String currency, String reference, String method, Instant receivedAt) {
}
