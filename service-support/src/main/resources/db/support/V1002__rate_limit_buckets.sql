-- The API keys' rate-limit buckets (SPEC §4.1), shared by every instance of a service so that a key gets the
-- configured rate however many instances run (SPEC §9). UNLOGGED: a bucket is worth nothing after a crash
-- (it refills within seconds anyway), and a table without WAL costs a request no log flush.
CREATE UNLOGGED TABLE rate_limit_bucket (
    bucket      VARCHAR(300)     PRIMARY KEY, -- "w:" or "r:" and the API key's id
    tokens      DOUBLE PRECISION NOT NULL,
    refilled_at TIMESTAMPTZ      NOT NULL
);

-- Takes one token from the bucket, refilled first for the time since its last use; answers 0 when taken,
-- else the seconds until a token is there. One statement per request, atomic under the row lock, whichever
-- instance calls it. A request that read its clock before another but reached the row after it refills nothing
-- and keeps the later date, so concurrent requests never count the same time twice. A clock far behind the
-- bucket's (a test's, a broken one's) re-dates it instead: it must not starve the key until the others catch up.
CREATE FUNCTION rate_limit_take(p_bucket VARCHAR, p_capacity DOUBLE PRECISION, p_per_second DOUBLE PRECISION,
                                p_now TIMESTAMPTZ) RETURNS DOUBLE PRECISION
LANGUAGE plpgsql AS $$
DECLARE
    level DOUBLE PRECISION;
BEGIN
    INSERT INTO rate_limit_bucket AS b (bucket, tokens, refilled_at) VALUES (p_bucket, p_capacity, p_now)
    ON CONFLICT (bucket) DO UPDATE
        SET tokens = LEAST(p_capacity, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM p_now - b.refilled_at)) * p_per_second),
            refilled_at = CASE WHEN p_now < b.refilled_at - INTERVAL '5 seconds' THEN p_now
                               ELSE GREATEST(b.refilled_at, p_now) END
    RETURNING tokens INTO level;
    IF level >= 1 THEN
        UPDATE rate_limit_bucket SET tokens = level - 1 WHERE bucket = p_bucket;
        RETURN 0;
    END IF;
    RETURN (1 - level) / p_per_second;
END
$$;
