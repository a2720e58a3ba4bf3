-- Every secret a rotation replaced keeps signing until the expiry that rotation reported for it, however
-- many rotations follow. One column could hold only the last one, so a second rotation cut the first
-- secret off at once: previous secrets get a row each.
CREATE TABLE webhook_endpoint_secret (
    endpoint_id VARCHAR(64)  NOT NULL REFERENCES webhook_endpoint (id),
    secret      VARCHAR(128) NOT NULL,
    expires_at  TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (endpoint_id, secret)
);

INSERT INTO webhook_endpoint_secret (endpoint_id, secret, expires_at)
SELECT id, previous_secret, previous_secret_expires_at
FROM webhook_endpoint
WHERE previous_secret IS NOT NULL AND previous_secret_expires_at IS NOT NULL;

ALTER TABLE webhook_endpoint DROP COLUMN previous_secret, DROP COLUMN previous_secret_expires_at;
