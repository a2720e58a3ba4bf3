-- Invoice numbers (SPEC §4.2): `GET /v1/invoices?number=` finds an invoice by the number on the paper the buyer
-- holds. Invoices created before numbering have none.

-- A rebuild interrupted by this upgrade made its tables without the column: end it, as V3 did.
UPDATE projection_rebuild SET state = 'failed', finished_at = now(), error = 'interrupted by the invoice number migration (V8)'
WHERE state = 'running';
DROP TABLE IF EXISTS invoice_rebuild;
DROP TABLE IF EXISTS invoice_replayed;

ALTER TABLE invoice ADD COLUMN number VARCHAR(40);
CREATE INDEX invoice_store_number ON invoice (store_id, livemode, number);
