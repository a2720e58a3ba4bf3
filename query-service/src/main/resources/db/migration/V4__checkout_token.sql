-- The hosted invoice page (SPEC §8) finds its invoice by the token at the end of checkout_url.
-- Nullable: invoices created before tokens existed have a checkout_url ending in their id, and no page.

-- A rebuild interrupted by this upgrade would swap in a table without the column: end it, as V3 did.
UPDATE projection_rebuild SET state = 'failed', finished_at = now(), error = 'interrupted by the checkout token migration (V4)'
WHERE state = 'running';
DROP TABLE IF EXISTS invoice_rebuild;
DROP TABLE IF EXISTS invoice_previous;

ALTER TABLE invoice ADD COLUMN checkout_token VARCHAR(64);
-- The same rule as ledger.events.CheckoutToken.ofCheckoutUrl: the last path segment, when it is a token.
UPDATE invoice SET checkout_token = substring(view ->> 'checkout_url' FROM '/(ck_[A-Za-z0-9_-]{43})$');

CREATE UNIQUE INDEX invoice_checkout_token ON invoice (checkout_token);
