/**
 * Store-scoped API keys (§3, §4.1). Keys are only ever held as SHA-256 hashes — they are 190-bit random
 * tokens, so a fast hash is as strong as a slow one and keeps every request cheap. The registry of
 * stores and keys is a compacted Kafka topic written by command-service's admin API; every service
 * keeps its own copy in memory and enforces authentication and scopes itself.
 */
package ledger.support.auth;
