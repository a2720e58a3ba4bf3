package ledger.command.invoice.web;

/** The optional body of {@code POST /v1/invoices/{id}/cancel}. */
record CancelRequest(String reason) {
}
