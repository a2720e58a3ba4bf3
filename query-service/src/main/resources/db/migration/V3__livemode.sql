-- Test and live are two ledgers per store (SPEC §3): every read is scoped by store and mode, so the
-- mode is a column next to store_id and leads every store index after it.

-- A rebuild interrupted by this upgrade would hand its pre-V3 table to writers that now write the mode:
-- end it (the next rebuild starts from scratch). The previous table only served comparisons and would be
-- dropped by the next swap anyway.
UPDATE projection_rebuild SET state = 'failed', finished_at = now(), error = 'interrupted by the livemode migration (V3)'
WHERE state = 'running';
DROP TABLE IF EXISTS invoice_rebuild;
DROP TABLE IF EXISTS invoice_previous;

ALTER TABLE invoice ADD COLUMN livemode BOOLEAN;
UPDATE invoice SET livemode = coalesce((view ->> 'livemode')::boolean, false);
ALTER TABLE invoice ALTER COLUMN livemode SET NOT NULL;

-- Only InvoiceCreated carries the mode; the invoice's other events take it from there. Nullable: an event
-- that arrives before its invoice's InvoiceCreated gets the mode when that one arrives (LedgerEvents), and
-- until then belongs to neither ledger, like the invoice it would update.
ALTER TABLE ledger_event ADD COLUMN livemode BOOLEAN;
UPDATE ledger_event e
SET livemode = coalesce((c.payload ->> 'livemode')::boolean, false)
FROM ledger_event c
WHERE c.invoice_id = e.invoice_id AND c.sequence = 1 AND c.type = 'InvoiceCreated';

-- Same names as before (a rebuild's swap carries index names over), now leading with the mode.
DROP INDEX invoice_store_created;
DROP INDEX invoice_store_status_created;
DROP INDEX invoice_store_external_order;
CREATE INDEX invoice_store_created ON invoice (store_id, livemode, created_at DESC, id DESC);
CREATE INDEX invoice_store_status_created ON invoice (store_id, livemode, status, created_at DESC, id DESC);
CREATE INDEX invoice_store_external_order ON invoice (store_id, livemode, external_order_id);

DROP INDEX ledger_event_store_position;
DROP INDEX ledger_event_store_invoice;
CREATE INDEX ledger_event_store_position ON ledger_event (store_id, livemode, position, received_seq);
CREATE INDEX ledger_event_store_invoice ON ledger_event (store_id, livemode, invoice_id, sequence);
