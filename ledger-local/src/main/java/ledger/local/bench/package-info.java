/**
 * {@code ./ledger bench}: starts its own stack on free ports and measures write throughput against
 * a plain-JDBC baseline on the same PostgreSQL, projection and webhook latency at a paced load,
 * rebuild speed against a batch-insert baseline, and each service's heap.
 */
package ledger.local.bench;
