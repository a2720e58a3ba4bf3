/**
 * The invoice read model: {@link ledger.query.invoice.InvoiceProjection} is the query-service's handler of
 * the shared ledger consumer ({@link ledger.support.consumer.LedgerConsumer}), which applies ledger events
 * from Kafka in batches, idempotently and in per-invoice order; it writes each poll's invoice views into table
 * {@code invoice} (and into a running rebuild's table, see {@link ledger.query.invoice.InvoiceTables});
 * {@link ledger.query.invoice.InvoiceQueryController} serves one invoice (also {@code as_of} a past
 * instant), its checkout status and the invoice list of the key's store and mode, honouring
 * {@code Ledger-Version}.
 */
package ledger.query.invoice;
