-- Each invoice's view after the events applied so far, kept by the shared ledger consumer
-- (ledger.support.consumer) so that a new event is folded onto it instead of onto the invoice's whole
-- history. Not backfilled: the first new event of an invoice without a row folds its recorded events once.
-- Not the invoice table: a rebuild replaces that one, and this is the consumer's, not a read model.
CREATE TABLE invoice_state (
    invoice_id VARCHAR(64) PRIMARY KEY,
    store_id   VARCHAR(64) NOT NULL,
    version    BIGINT      NOT NULL,
    view       TEXT        NOT NULL
);
