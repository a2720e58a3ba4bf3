-- db-scheduler orders due executions by priority only when priority is enabled (db-scheduler.priority-enabled,
-- off here: every expiry is alike); it polls by execution_time. The priority index was never read (idx_scan 0
-- under load), yet every expiry scheduled with a create wrote an entry to it.
DROP INDEX priority_execution_time_idx;
