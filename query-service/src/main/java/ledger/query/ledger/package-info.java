/**
 * The ledger as this service received it: every event once, in table {@code ledger_event}, with its
 * commit-order {@code position} — the query-service's inbox for the shared ledger consumer. It is the source
 * of {@code as_of} histories, the events feed, exports, reports and projection rebuilds; nothing here is
 * derived from anything but the events themselves.
 */
package ledger.query.ledger;
