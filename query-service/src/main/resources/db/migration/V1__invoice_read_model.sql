-- query-service's own read models, built only from ledger events on Kafka.

-- Every ledger event once (the event id is the dedupe key); the source for histories and rebuilds.
CREATE TABLE ledger_event (
    event_id    VARCHAR(64)  PRIMARY KEY,
    invoice_id  VARCHAR(64)  NOT NULL,
    store_id    VARCHAR(64)  NOT NULL,
    sequence    BIGINT       NOT NULL,
    type        VARCHAR(40)  NOT NULL,
    occurred_at TIMESTAMPTZ  NOT NULL,
    payload     JSON         NOT NULL, -- json, not jsonb: keeps the wire text (key order) exactly
    UNIQUE (invoice_id, sequence)
);

-- The current view of each invoice (SPEC §4.3) plus the columns lists and reports filter on.
CREATE TABLE invoice (
    id                VARCHAR(64)    PRIMARY KEY,
    store_id          VARCHAR(64)    NOT NULL,
    status            VARCHAR(20)    NOT NULL,
    currency          CHAR(3)        NOT NULL,
    amount            NUMERIC(19, 4) NOT NULL,
    amount_paid       NUMERIC(19, 4) NOT NULL,
    amount_due        NUMERIC(19, 4) NOT NULL,
    external_order_id VARCHAR(255),
    created_at        TIMESTAMPTZ    NOT NULL,
    updated_at        TIMESTAMPTZ    NOT NULL,
    version           BIGINT         NOT NULL,
    view              JSON           NOT NULL
);

CREATE INDEX invoice_store_created ON invoice (store_id, created_at DESC, id DESC);
