/**
 * Webhook delivery (§6): {@link ledger.webhook.delivery.WebhookEvents} turns a ledger event into a stored
 * webhook body and one queued delivery per target; {@link ledger.webhook.delivery.DeliveryWorker} leases due
 * deliveries from the PostgreSQL queue ({@link ledger.webhook.delivery.DeliveryQueue}) into one lane per
 * target ({@link ledger.webhook.delivery.Lanes}) and sends them ({@link ledger.webhook.delivery.Attempts}),
 * signed the Standard Webhooks way, retrying on a schedule; {@link ledger.webhook.delivery.DeliveryController}
 * serves the attempt history, redelivery and recovery.
 *
 * <p>Order: first attempts to a target (an endpoint, or a callback host) follow the invoice's event
 * sequence. A delivery is not leased while one of an earlier event of the same invoice to the same target
 * still waits for its first attempt, so a healthy receiver sees {@code invoice.created} before
 * {@code invoice.paid}. Only the first attempt is waited for: a failed one is retried on its schedule
 * while later events go ahead, so retries (and redeliveries, recoveries) can arrive out of order, and
 * receivers that care order by {@code data.invoice.version}. Nothing is ordered across invoices.
 */
package ledger.webhook.delivery;
