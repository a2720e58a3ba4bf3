/**
 * {@code ./ledger bench}: starts its own stack on free ports and, after an unmeasured warm-up,
 * measures write throughput against a plain-JDBC baseline on the same PostgreSQL, the stack's CPU
 * per create (from {@code /proc}, per process), projection and webhook latency at a sustainable and
 * at the target paced load and with one create a second, rebuild speed against a batch-insert
 * baseline, and each service's heap.
 */
package ledger.local.bench;
