/**
 * The dispatcher's Kafka side: {@link ledger.webhook.inbox.EventInbox} takes each ledger event into the
 * inbox once, and {@link ledger.webhook.inbox.InvoiceTimeline} publishes the events of each invoice as
 * webhooks in sequence order, folding the invoice's view as it goes.
 */
package ledger.webhook.inbox;
