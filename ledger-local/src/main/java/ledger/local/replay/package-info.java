/**
 * {@code ./ledger replay}: rebuilds query-service's invoice projection through the gateway's admin
 * API and draws its progress in the terminal. {@link ledger.local.replay.RebuildClient} is also what
 * the benchmark times rebuilds with.
 */
package ledger.local.replay;
