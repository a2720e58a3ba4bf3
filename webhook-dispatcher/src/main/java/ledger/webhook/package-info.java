/**
 * webhook-dispatcher: turns every ledger event from Kafka into a signed, retried webhook (SPEC §6).
 * {@code inbox} takes events off the topic and folds each invoice's view; {@code delivery} queues, sends,
 * retries and records attempts; {@code endpoint} is the merchant API for endpoints; {@code target} keeps
 * webhooks away from internal addresses.
 */
package ledger.webhook;
