/**
 * The merchants' single base URL: routes each documented operation of the API document by path and
 * method to command-service, query-service or webhook-dispatcher, streams the answer back untouched, and
 * speaks the house error shape for anything it cannot route or reach.
 *
 * <p>The gateway holds no state and enforces no auth: every service authenticates and scopes the
 * request itself (SPEC §4.1), so the gateway forwards headers unchanged — it only refuses, before
 * forwarding, what no service could accept ({@link ledger.gateway.BackendLimits}).
 */
package ledger.gateway;
