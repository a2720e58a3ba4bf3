-- Every ledger event the dispatcher has taken from Kafka, recorded before its offset is committed:
-- the durable source that deliveries are planned from. The event id dedupes redelivered records.
CREATE TABLE event_inbox (
    event_id    VARCHAR(64) PRIMARY KEY,
    invoice_id  VARCHAR(64) NOT NULL,
    store_id    VARCHAR(64) NOT NULL,
    sequence    BIGINT      NOT NULL,
    type        VARCHAR(40) NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    payload     JSON        NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
