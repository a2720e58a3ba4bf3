/**
 * The invoice read model: {@link ledger.query.invoice.InvoiceProjection} applies ledger events from Kafka
 * idempotently; {@link ledger.query.invoice.InvoiceQueryController} serves them to merchants.
 */
package ledger.query.invoice;
