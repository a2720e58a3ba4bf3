-- An invoice is overdue while its due date has ended (UTC) and it is still open or partially paid (InvoiceOverdue,
-- SPEC §4.2); the view's `overdue`, copied here so `GET /v1/invoices?overdue=` is a column filter. Views written
-- before this migration cannot be overdue: no InvoiceOverdue existed.

-- A rebuild interrupted by this upgrade made its tables without the column: end it, as V3 did.
UPDATE projection_rebuild SET state = 'failed', finished_at = now(), error = 'interrupted by the overdue migration (V7)'
WHERE state = 'running';
DROP TABLE IF EXISTS invoice_rebuild;
DROP TABLE IF EXISTS invoice_replayed;

ALTER TABLE invoice ADD COLUMN overdue BOOLEAN NOT NULL DEFAULT false;

-- The few invoices a merchant chases, newest first; the rebuild recreates it on its table like every index.
CREATE INDEX invoice_store_overdue_created ON invoice (store_id, livemode, created_at DESC, id DESC) WHERE overdue;
