-- The claim reads the queue target by target (DeliveryQueue.CANDIDATES): it steps through the targets with pending
-- deliveries and reads each one that is not saturated from its oldest due delivery on, so a backlog for a busy
-- endpoint is never read through. This index serves both; ordered by due time within a target, it replaces
-- delivery_due, which only the claim read.
CREATE INDEX delivery_pending_target ON delivery (target_key, next_attempt_at, id) WHERE state = 'pending';
DROP INDEX delivery_due;
-- Fresh statistics for the planner, which must keep probing delivery_awaiting_first_attempt for the order rule.
ANALYZE delivery;
