/**
 * Hostile-input properties (jqwik): generated and malformed requests against every public endpoint of
 * the whole stack, and the rules every answer must keep (no 5xx, no internals, the §4.1 error shape, no
 * partial writes).
 */
package ledger.local.hostile;
