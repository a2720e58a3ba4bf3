/**
 * The invoice read model: {@link ledger.query.invoice.InvoiceProjection} applies ledger events from
 * Kafka in batches, idempotently and in per-invoice order, into table {@code invoice} (and into a
 * running rebuild's table, see {@link ledger.query.invoice.InvoiceTables});
 * {@link ledger.query.invoice.InvoiceQueryController} serves one invoice (also {@code as_of} a past
 * instant), its checkout status and the invoice list of the key's store and mode, honouring
 * {@code Ledger-Version}.
 */
package ledger.query.invoice;
