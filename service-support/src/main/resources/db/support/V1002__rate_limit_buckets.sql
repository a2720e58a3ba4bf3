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
-- instance calls it. A clock behind the bucket's last use (another instance's, a test's) refills nothing, and the
-- bucket then counts on from that clock: an instance whose clock runs ahead can grant its lead's worth of tokens
-- once, but never starve a key until the others catch up with it.
CREATE FUNCTION rate_limit_take(p_bucket VARCHAR, p_capacity DOUBLE PRECISION, p_per_second DOUBLE PRECISION,
                                p_now TIMESTAMPTZ) RETURNS DOUBLE PRECISION
LANGUAGE plpgsql AS $$
DECLARE
    level DOUBLE PRECISION;
BEGIN
    INSERT INTO rate_limit_bucket AS b (bucket, tokens, refilled_at) VALUES (p_bucket, p_capacity, p_now)
    ON CONFLICT (bucket) DO UPDATE
        SET tokens = LEAST(p_capacity, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM p_now - b.refilled_at)) * p_per_second),
            refilled_at = p_now
    RETURNING tokens INTO level;
    IF level >= 1 THEN
        UPDATE rate_limit_bucket SET tokens = level - 1 WHERE bucket = p_bucket;
        RETURN 0;
    END IF;
    RETURN (1 - level) / p_per_second;
END
$$;
