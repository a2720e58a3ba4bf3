-- V1003 dropped rate_limit_take when RateLimits took to one UPDATE of its own. But during a rolling upgrade the
-- instances of the release before still call it, and a rate-limit check that fails lets its request through
-- (RateLimits: the database seems away): those instances would serve every key unlimited until replaced. So the
-- function is back, taking its token with the same UPDATE as RateLimits (and the same fill of a missing bucket),
-- so old and new instances draw from each key's one bucket. Drop it once no instance of before V1003 can run.
CREATE FUNCTION rate_limit_take(p_bucket VARCHAR, p_capacity DOUBLE PRECISION, p_per_second DOUBLE PRECISION,
                                p_now TIMESTAMPTZ) RETURNS DOUBLE PRECISION
LANGUAGE plpgsql AS $$
DECLARE
    got   BOOLEAN;
    level DOUBLE PRECISION;
BEGIN
    FOR attempt IN 1..2 LOOP
        UPDATE rate_limit_bucket b
        SET tokens = LEAST(p_capacity, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM p_now - b.refilled_at)) * p_per_second)
                     - CASE WHEN LEAST(p_capacity, b.tokens
                                       + GREATEST(0, EXTRACT(EPOCH FROM p_now - b.refilled_at)) * p_per_second) >= 1
                            THEN 1 ELSE 0 END,
            taken = LEAST(p_capacity, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM p_now - b.refilled_at)) * p_per_second)
                    >= 1,
            refilled_at = CASE WHEN p_now < b.refilled_at - INTERVAL '5 seconds' THEN p_now
                               ELSE GREATEST(b.refilled_at, p_now) END
        WHERE b.bucket = p_bucket
        RETURNING b.taken, b.tokens INTO got, level;
        IF FOUND THEN
            RETURN CASE WHEN got THEN 0 ELSE (1 - level) / p_per_second END;
        END IF;
        INSERT INTO rate_limit_bucket (bucket, tokens, refilled_at, taken) VALUES (p_bucket, p_capacity - 1, p_now, true)
        ON CONFLICT (bucket) DO NOTHING;
        IF FOUND THEN
            RETURN 0;
        END IF;
        -- a racing request inserted the bucket first: take from it
    END LOOP;
    RETURN 0;
END
$$;
