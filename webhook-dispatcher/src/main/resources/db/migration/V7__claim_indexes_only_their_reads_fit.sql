-- The claim reads due deliveries in due order from delivery_due and probes delivery_awaiting_first_attempt for the
-- order rule (DeliveryQueue). Both indexes said "pending" as state = 'pending', as delivery_pending_target does, so
-- the planner could serve either read from any of the three. From statistics taken while the queue was nearly
-- empty they all look as cheap, and when it took another one, each candidate's probe read the target's whole
-- backlog: with 6,000 deliveries queued for one endpoint after the statistics were taken, one claim read 1.4
-- million buffers in 23 s, and the dispatcher sent 4 webhooks a second until autovacuum analysed the table.
--
-- The same rows that the reads want (the CHECK on state allows four values; the read in due order never wants a
-- row without a time) under predicates that imply nothing about state = 'pending' and differ from each other: the
-- claim's reads, written in the same words (DeliveryQueue.waiting), each fit one index and no other. The probe
-- asks about no time, so it does not fit delivery_due; the read in due order asks nothing of attempts, so it does
-- not fit the probe's index.
CREATE INDEX delivery_due_v7 ON delivery (next_attempt_at)
    WHERE state NOT IN ('succeeded', 'failed', 'cancelled') AND next_attempt_at IS NOT NULL;
CREATE INDEX delivery_awaiting_first_attempt_v7 ON delivery (target_key, invoice_id, sequence)
    WHERE attempts = 0 AND state NOT IN ('succeeded', 'failed', 'cancelled');
DROP INDEX delivery_due;
DROP INDEX delivery_awaiting_first_attempt;
ALTER INDEX delivery_due_v7 RENAME TO delivery_due;
ALTER INDEX delivery_awaiting_first_attempt_v7 RENAME TO delivery_awaiting_first_attempt;
