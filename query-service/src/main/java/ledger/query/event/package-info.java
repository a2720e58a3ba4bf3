/**
 * The ledger as merchants and finance read it (SPEC §4.4): the store's events feed in commit order,
 * one invoice's history, single events, and streamed exports (NDJSON or CSV) of any size.
 */
package ledger.query.event;
