/**
 * Projection rebuilds (SPEC §4.4, §7): replay the whole ledger into a fresh invoice table while the
 * live one serves, then swap atomically; progress is pollable under {@code /admin/v1/projections}.
 */
package ledger.query.rebuild;
