-- While some targets are saturated, the claim reads the queue target by target
-- (DeliveryQueue.CANDIDATES_OF_UNSATURATED): it steps through the targets with pending deliveries and reads each
-- unsaturated one from its oldest due delivery on, so a saturated target's backlog is never read. This index serves
-- both steps. (With no target saturated the claim reads delivery_due in due order, as before.)
CREATE INDEX delivery_pending_target ON delivery (target_key, next_attempt_at, id) WHERE state = 'pending';
-- Fresh statistics for the planner, which must keep probing delivery_awaiting_first_attempt for the order rule.
ANALYZE delivery;
