package ledger.command.invoice.web;

/**
 * The body of {@code POST /v1/invoices/{id}/refunds} (SPEC §4.5). {@code currency} may be left out: the amount is
 * in the invoice's currency.
 */
record RefundRequest(String amount, String currency, String reference, String payment, String reason) {
}
