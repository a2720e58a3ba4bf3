/**
 * Webhook delivery (§6): {@link ledger.webhook.delivery.WebhookEvents} turns a ledger event into a stored
 * webhook body and one queued delivery per target; {@link ledger.webhook.delivery.DeliveryWorker} leases due
 * deliveries from the PostgreSQL queue ({@link ledger.webhook.delivery.DeliveryQueue}) and sends them,
 * signed the Standard Webhooks way, retrying on a schedule; {@link ledger.webhook.delivery.DeliveryController}
 * serves the attempt history, redelivery and recovery.
 */
package ledger.webhook.delivery;
