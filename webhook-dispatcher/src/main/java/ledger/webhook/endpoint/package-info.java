/**
 * Webhook endpoints (§6): the merchant API to register, change, disable and delete them and to rotate
 * their signing secrets ({@link ledger.webhook.endpoint.EndpointController}), their table
 * ({@link ledger.webhook.endpoint.Endpoints}) and the webhook event types
 * ({@link ledger.events.WebhookTypes}).
 */
package ledger.webhook.endpoint;
