/**
 * Crash and fault tests: the whole ledger under merchant load while its parts are killed with SIGKILL
 * one at a time, then an audit that every copy of the ledger (event store, Kafka topic, query-service,
 * webhook receiver) agrees with the event store and with what merchants were told.
 */
package ledger.local.crash;
