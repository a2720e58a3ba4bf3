-- First attempts to a target follow the invoice's event order (SPEC §6): a delivery is not claimed while
-- a delivery of an earlier event of the same invoice to the same target still waits for its first attempt.
-- The invoice and the event's sequence live on the delivery row so that the claim can ask this of an index,
-- one probe per candidate, instead of joining the inbox and the whole queue on every poll.
ALTER TABLE delivery ADD COLUMN invoice_id VARCHAR(64), ADD COLUMN sequence BIGINT;

-- Every webhook event was published from the inbox, so every delivery finds its event there.
UPDATE delivery d SET invoice_id = i.invoice_id, sequence = i.sequence
FROM event_inbox i
WHERE i.event_id = d.event_id;

ALTER TABLE delivery ALTER COLUMN invoice_id SET NOT NULL, ALTER COLUMN sequence SET NOT NULL;

-- Exactly the rows that hold later events back: those still waiting for their first attempt (including
-- the ones leased right now). A row leaves the index with its first attempt, so it stays small.
CREATE INDEX delivery_awaiting_first_attempt ON delivery (target_key, invoice_id, sequence)
    WHERE state = 'pending' AND attempts = 0;
