/**
 * Request parameters shared by the query endpoints: RFC 3339 instants, the {@code created[…]}
 * range filter, cursor pages over keyset queries.
 */
package ledger.query.web;
