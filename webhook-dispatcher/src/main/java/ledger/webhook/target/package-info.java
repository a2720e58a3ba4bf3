/**
 * SSRF protection for webhook targets: {@link ledger.webhook.target.TargetPolicy} decides which URLs and
 * addresses may be called; {@link ledger.webhook.target.GuardedDnsResolver} and
 * {@link ledger.webhook.target.GuardedSocketFactory} enforce it on every connection the HTTP client makes,
 * on the address actually connected to.
 */
package ledger.webhook.target;
