package ledger.command.invoice.web;

/**
 * The body of {@code POST /v1/invoices/{id}/credit_notes} (SPEC §4.5). {@code currency} may be left out: the amount
 * is in the invoice's currency.
 */
record CreditNoteRequest(String amount, String currency, String reason, String memo) {
}
