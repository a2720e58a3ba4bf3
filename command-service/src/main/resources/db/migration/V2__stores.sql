-- Stores and their API keys. Keys are kept only as SHA-256 hashes; the callback secret must stay
-- usable for signing, so it is stored as issued.
CREATE TABLE store (
    id              VARCHAR(64)  PRIMARY KEY,
    name            VARCHAR(255) NOT NULL,
    callback_secret VARCHAR(128) NOT NULL,
    created_at      TIMESTAMPTZ  NOT NULL
);

CREATE TABLE api_key (
    id         VARCHAR(64) PRIMARY KEY,
    store_id   VARCHAR(64) NOT NULL REFERENCES store (id),
    key_hash   CHAR(64)    NOT NULL UNIQUE,
    scopes     TEXT[]      NOT NULL,
    mode       VARCHAR(8)  NOT NULL CHECK (mode IN ('test', 'live')),
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
