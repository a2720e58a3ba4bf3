-- Idempotency-Key records (SPEC §4.1), in every service's own schema. Versions from 1000 up are reserved for
-- service-support so they never collide with a service's own migrations.
CREATE TABLE idempotency_key (
    scope           VARCHAR(64)  NOT NULL, -- the store (or "admin"): keys are unique per store
    key             VARCHAR(255) NOT NULL,
    fingerprint     CHAR(64)     NOT NULL, -- SHA-256 of method, path, query and body
    state           VARCHAR(16)  NOT NULL CHECK (state IN ('in_flight', 'done')),
    response_status INT,
    response_headers TEXT,
    response_body   BYTEA,
    created_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_key_created ON idempotency_key (created_at);
