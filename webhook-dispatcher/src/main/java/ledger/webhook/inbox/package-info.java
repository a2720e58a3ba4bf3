/**
 * The dispatcher's part of the shared ledger consumer ({@link ledger.support.consumer.LedgerConsumer}):
 * {@link ledger.webhook.inbox.EventInbox} records each ledger event once, and
 * {@link ledger.webhook.inbox.InvoiceTimeline} publishes the events of each invoice as webhooks in sequence
 * order, each with the invoice's view after it.
 */
package ledger.webhook.inbox;
