/**
 * What every ledger service shares at run time, wired by {@link ledger.support.LedgerSupportAutoConfiguration}:
 * the §4.1 error model and request ids ({@code web}), and store-scoped API-key authentication
 * ({@code auth}). Each service enforces authentication itself from its own copy of the key registry,
 * fed by the compacted Kafka topic {@code ledger.access}; no service reads another's tables.
 */
package ledger.support;
