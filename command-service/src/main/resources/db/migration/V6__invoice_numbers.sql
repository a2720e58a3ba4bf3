-- Invoice numbers (SPEC §4.2): each store numbers its invoices <invoice_prefix>-000001, -000002, … in each mode,
-- without gaps. The row is advanced in the create command's own transaction, so a create that does not commit
-- gives its number back, and racing creates wait on the row's lock for the number after the last committed.
-- Invoices created before numbering have none.
ALTER TABLE store ADD COLUMN invoice_prefix VARCHAR(12) NOT NULL DEFAULT 'INV';

CREATE TABLE invoice_number (
    store_id    VARCHAR(64) NOT NULL REFERENCES store (id),
    livemode    BOOLEAN     NOT NULL,
    last_number BIGINT      NOT NULL,
    PRIMARY KEY (store_id, livemode)
);
