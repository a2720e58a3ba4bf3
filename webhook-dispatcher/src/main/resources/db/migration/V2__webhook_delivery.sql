-- Events are turned into webhooks per invoice in sequence order; this finds an invoice's next event.
CREATE INDEX event_inbox_invoice_sequence ON event_inbox (invoice_id, sequence);

-- Each invoice's §4.3 view after the last event turned into a webhook: webhook payloads are built from
-- the events alone, without asking another service. version = sequence of that event.
CREATE TABLE invoice_state (
    invoice_id VARCHAR(64) PRIMARY KEY,
    store_id   VARCHAR(64) NOT NULL,
    version    BIGINT      NOT NULL,
    view       TEXT        NOT NULL
);

-- A merchant's webhook endpoint. The secrets are kept in the clear because signing needs them;
-- previous_secret keeps signing alongside a rotated-in secret until previous_secret_expires_at.
CREATE TABLE webhook_endpoint (
    seq                        BIGSERIAL    UNIQUE,
    id                         VARCHAR(64)  PRIMARY KEY,
    store_id                   VARCHAR(64)  NOT NULL,
    url                        VARCHAR(2048) NOT NULL,
    description                VARCHAR(255),
    enabled_events             TEXT[]       NOT NULL,
    livemode                   BOOLEAN      NOT NULL,
    disabled                   BOOLEAN      NOT NULL DEFAULT false,
    disabled_reason            VARCHAR(40),
    secret                     VARCHAR(128) NOT NULL,
    previous_secret            VARCHAR(128),
    previous_secret_expires_at TIMESTAMPTZ,
    failing_since              TIMESTAMPTZ,
    created_at                 TIMESTAMPTZ  NOT NULL,
    updated_at                 TIMESTAMPTZ  NOT NULL,
    deleted_at                 TIMESTAMPTZ
);
CREATE INDEX webhook_endpoint_store ON webhook_endpoint (store_id, seq) WHERE deleted_at IS NULL;

-- One webhook event per ledger event, with its body exactly as sent on every attempt.
CREATE TABLE webhook_event (
    event_id     VARCHAR(64)   PRIMARY KEY,
    store_id     VARCHAR(64)   NOT NULL,
    invoice_id   VARCHAR(64)   NOT NULL,
    type         VARCHAR(40)   NOT NULL,
    livemode     BOOLEAN       NOT NULL,
    occurred_at  TIMESTAMPTZ   NOT NULL,
    callback_url VARCHAR(2048),
    body         TEXT          NOT NULL,
    created_at   TIMESTAMPTZ   NOT NULL
);

-- The delivery queue: one row per (event, endpoint), or per event for the invoice's callback_url
-- (endpoint_id NULL, url set). A row is claimed by one instance at a time through lease_until and
-- lease_token; a completion whose token no longer matches (lease expired, redelivery requested) is ignored.
-- target_key groups rows that share a per-target concurrency limit.
CREATE TABLE delivery (
    id              BIGSERIAL     PRIMARY KEY,
    event_id        VARCHAR(64)   NOT NULL REFERENCES webhook_event (event_id),
    endpoint_id     VARCHAR(64)   REFERENCES webhook_endpoint (id),
    url             VARCHAR(2048),
    target_key      VARCHAR(2100) NOT NULL,
    state           VARCHAR(16)   NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'cancelled')),
    attempts        INT           NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    lease_until     TIMESTAMPTZ,
    lease_token     VARCHAR(32),
    last_status     INT,
    last_error      TEXT,
    created_at      TIMESTAMPTZ   NOT NULL,
    updated_at      TIMESTAMPTZ   NOT NULL,
    CHECK ((endpoint_id IS NULL) <> (url IS NULL))
);
CREATE UNIQUE INDEX delivery_event_endpoint ON delivery (event_id, endpoint_id) WHERE endpoint_id IS NOT NULL;
CREATE UNIQUE INDEX delivery_event_callback ON delivery (event_id) WHERE endpoint_id IS NULL;
CREATE INDEX delivery_due ON delivery (next_attempt_at) WHERE state = 'pending';
CREATE INDEX delivery_endpoint_state ON delivery (endpoint_id, state);

-- Every attempt, for the delivery history API.
CREATE TABLE delivery_attempt (
    seq             BIGSERIAL    PRIMARY KEY,
    id              VARCHAR(64)  NOT NULL UNIQUE,
    delivery_id     BIGINT       NOT NULL REFERENCES delivery (id),
    event_id        VARCHAR(64)  NOT NULL,
    endpoint_id     VARCHAR(64),
    attempted_at    TIMESTAMPTZ  NOT NULL,
    status_code     INT,
    latency_ms      BIGINT       NOT NULL,
    error           TEXT,
    outcome         VARCHAR(16)  NOT NULL,
    next_attempt_at TIMESTAMPTZ
);
CREATE INDEX delivery_attempt_endpoint ON delivery_attempt (endpoint_id, seq);
