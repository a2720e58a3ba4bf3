/**
 * Runs the whole ledger on one machine without Docker: a real embedded PostgreSQL and a real
 * single-node Kafka (KRaft) whose data stays in {@code .ledger-data/} across restarts, the four
 * services as child JVMs, and a demo store with an API key.
 *
 * <p>{@link ledger.local.LocalLedger} is the entry point for code (the {@code ./ledger up} command
 * and end-to-end tests); {@link ledger.local.LedgerLauncher} is the command line around it.
 */
package ledger.local;
