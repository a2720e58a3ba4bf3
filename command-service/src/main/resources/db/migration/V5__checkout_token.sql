-- Which invoice a checkout token opens: the hosted page's simulate-payment form names only the token
-- (SPEC §8). Written with the InvoiceCreated append, in its transaction. Invoices created before tokens
-- existed have none, and their old checkout_url opens nothing.
CREATE TABLE checkout_token (
    token      TEXT        PRIMARY KEY,
    invoice_id VARCHAR(64) NOT NULL,
    store_id   VARCHAR(64) NOT NULL,
    livemode   BOOLEAN     NOT NULL
);
