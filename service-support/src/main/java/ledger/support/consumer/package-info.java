/**
 * The one ledger consumer every service that reads the invoice-events topic plugs into
 * ({@link ledger.support.consumer.LedgerConsumer}): a batch Kafka listener over the ledger's JSON that takes
 * each poll as one transaction — record the events in the service's inbox once each
 * ({@link ledger.support.consumer.LedgerInbox}), lock the touched invoices, move each invoice's stored view
 * ({@link ledger.support.consumer.InvoiceStates}) on by the events that follow it without a gap, hand the
 * result to the service ({@link ledger.support.consumer.InvoiceEventHandler}) — and tells the service again
 * after the commit.
 * Offsets are committed only after that transaction, and a failing poll is retried whole by the shared error
 * handler, so an event is neither skipped nor applied twice; one that arrives before its predecessor waits
 * in the inbox until the gap closes.
 *
 * <p>A service plugs in with two beans — its inbox and its handler — and a table
 * {@code invoice_state (invoice_id, store_id, version, view)} in its schema, or a third bean saying where its
 * handler already keeps the views ({@link ledger.support.consumer.JdbcInvoiceStates#keptByHandler}); the
 * listener's threads are {@code ledger.consumer.concurrency} (default 1). The stored views hold nothing the
 * inbox does not: emptying {@code invoice_state} is always safe — each invoice's next event folds its recorded
 * events once — and is what to do when the fold itself changes, so that no view folded by older code is
 * carried on.
 */
package ledger.support.consumer;
