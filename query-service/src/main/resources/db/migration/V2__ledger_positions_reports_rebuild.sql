-- The ledger feed, finance reports and projection rebuilds.

-- received_seq: the order events reached this service, a unique tie-breaker for every ordering.
-- position: the ledger's commit order, the Kafka header global_position (the event store's index);
-- records without that header fall back to received_seq, so the order stays total and stable.
CREATE SEQUENCE ledger_event_received_seq;

ALTER TABLE ledger_event
    ADD COLUMN global_position BIGINT,
    ADD COLUMN received_seq    BIGINT,
    ADD COLUMN position        BIGINT,
    -- Copied out of the payload so reports can sum in SQL without parsing JSON.
    ADD COLUMN status          VARCHAR(20),
    ADD COLUMN currency        CHAR(3),
    ADD COLUMN amount          NUMERIC,   -- InvoiceCreated: the invoice amount; PaymentReceived: the payment
    ADD COLUMN amount_paid     NUMERIC,   -- the invoice's totals after this event
    ADD COLUMN amount_due      NUMERIC,
    ADD COLUMN due_date        DATE,      -- InvoiceCreated only
    ADD COLUMN expires_at      TIMESTAMPTZ;

UPDATE ledger_event e
SET received_seq = o.n,
    position     = o.n,
    status       = e.payload ->> 'status',
    currency     = e.payload -> 'amount_paid' ->> 'currency',
    amount       = CASE WHEN e.type IN ('InvoiceCreated', 'PaymentReceived')
                        THEN (e.payload -> 'amount' ->> 'amount')::numeric END,
    amount_paid  = (e.payload -> 'amount_paid' ->> 'amount')::numeric,
    amount_due   = (e.payload -> 'amount_due' ->> 'amount')::numeric,
    due_date     = CASE WHEN e.type = 'InvoiceCreated' THEN (e.payload ->> 'due_date')::date END,
    expires_at   = CASE WHEN e.type = 'InvoiceCreated' THEN (e.payload ->> 'expires_at')::timestamptz END
FROM (SELECT event_id, row_number() OVER (ORDER BY occurred_at, invoice_id, sequence) AS n FROM ledger_event) o
WHERE o.event_id = e.event_id;

SELECT setval('ledger_event_received_seq', (SELECT coalesce(max(received_seq), 0) + 1 FROM ledger_event), false);

ALTER TABLE ledger_event
    ALTER COLUMN received_seq SET DEFAULT nextval('ledger_event_received_seq'),
    ALTER COLUMN received_seq SET NOT NULL,
    ALTER COLUMN position SET NOT NULL,
    ALTER COLUMN status SET NOT NULL,
    ALTER COLUMN currency SET NOT NULL,
    ALTER COLUMN amount_paid SET NOT NULL,
    ALTER COLUMN amount_due SET NOT NULL,
    ADD CONSTRAINT ledger_event_received_seq_key UNIQUE (received_seq);

ALTER SEQUENCE ledger_event_received_seq OWNED BY ledger_event.received_seq;

-- The store's feed and exports in commit order (scanned backwards for newest first).
CREATE INDEX ledger_event_store_position ON ledger_event (store_id, position, received_seq);
-- Reports: the latest event of each invoice as of an instant.
CREATE INDEX ledger_event_store_invoice ON ledger_event (store_id, invoice_id, sequence);

CREATE INDEX invoice_store_status_created ON invoice (store_id, status, created_at DESC, id DESC);
CREATE INDEX invoice_store_external_order ON invoice (store_id, external_order_id);

-- Rebuilds of the invoice read model. At most one is active; the live consumer writes to the
-- rebuild's table too while one is 'running' (see ProjectionRebuilder).
CREATE TABLE projection_rebuild (
    id                    VARCHAR(64)  PRIMARY KEY,
    projection            VARCHAR(40)  NOT NULL,
    state                 VARCHAR(20)  NOT NULL, -- running, completed, failed, cancelled
    phase                 VARCHAR(20)  NOT NULL, -- replaying, indexing, swapping, done
    total_events          BIGINT,
    processed_events      BIGINT       NOT NULL DEFAULT 0,
    max_events_per_second INTEGER,
    started_at            TIMESTAMPTZ  NOT NULL,
    heartbeat_at          TIMESTAMPTZ  NOT NULL,
    finished_at           TIMESTAMPTZ,
    error                 TEXT
);

CREATE UNIQUE INDEX projection_rebuild_one_running ON projection_rebuild (projection) WHERE state = 'running';
CREATE INDEX projection_rebuild_started ON projection_rebuild (started_at DESC);
