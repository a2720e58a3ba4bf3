-- The shared ledger consumer now moves each invoice on from its view in the read model itself (invoice.view),
-- which the projection writes in the same transaction: invoice_state only held a second copy of it, written
-- on every poll. A rebuild's swap brings in views folded by the current code, so nothing needs emptying then.
DROP TABLE invoice_state;
