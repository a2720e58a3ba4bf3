-- A record is now written in the transaction of the work it answers for (see Idempotency), so every record
-- is a finished answer: "in flight" is a transaction-scoped advisory lock instead of a committed row, which
-- a crashed instance could leave behind for minutes.
DELETE FROM idempotency_key WHERE state = 'in_flight';
ALTER TABLE idempotency_key DROP COLUMN state;
ALTER TABLE idempotency_key ALTER COLUMN response_status SET NOT NULL,
                            ALTER COLUMN response_headers SET NOT NULL,
                            ALTER COLUMN response_body SET NOT NULL;
