/**
 * The merchants' single base URL: routes each request by path and method to command-service,
 * query-service or webhook-dispatcher, streams the answer back untouched, and speaks the house
 * error shape for anything it cannot route or reach.
 *
 * <p>The gateway holds no state and enforces no auth: every service authenticates and scopes the
 * request itself (SPEC §4.1), so the gateway only forwards headers unchanged.
 */
package ledger.gateway;
