-- Test and live are two ledgers of a store (SPEC §3): an external_order_id is unique among the open
-- invoices of one store *and mode*. Rows already held take their invoice's mode from its InvoiceCreated.
ALTER TABLE open_external_order_id ADD COLUMN livemode BOOLEAN;
UPDATE open_external_order_id o
SET livemode = COALESCE((
    SELECT (convert_from(e.payload, 'UTF8')::jsonb ->> 'livemode')::boolean
    FROM domain_event_entry e
    WHERE e.aggregate_identifier = o.invoice_id AND e.payload_type = 'ledger.events.InvoiceCreated'), false);
ALTER TABLE open_external_order_id ALTER COLUMN livemode SET NOT NULL;
ALTER TABLE open_external_order_id DROP CONSTRAINT open_external_order_id_pkey;
ALTER TABLE open_external_order_id ADD PRIMARY KEY (store_id, livemode, external_order_id);
