-- A keyed request takes its key and reads the key's kept answer in one round trip (IdempotencyStore.take), where it
-- sent two statements: on a loaded ./ledger up stack a round trip of the command path cost about 0.15 ms of the
-- machine's CPU (ledger-local/README.md, 2026-12-07 evening).
--
-- One plain statement can't do both: its snapshot is taken before its lock is granted, so an answer kept by a duplicate
-- that committed in between would be missed and the request run again. In a VOLATILE function each statement takes
-- a fresh snapshot, so the read follows the lock and sees what the key's previous holder committed before letting go.
-- The lock's key is the one the two statements took, so instances of either release share it.
CREATE FUNCTION idempotency_take(p_scope VARCHAR, p_key VARCHAR, p_retained INTERVAL)
    RETURNS TABLE (taken BOOLEAN, kept_fingerprint CHAR(64), kept_status INT, kept_headers TEXT, kept_body BYTEA)
    LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtextextended(p_scope || E'\n' || p_key, 0)) THEN
        RETURN QUERY SELECT false, NULL::CHAR(64), NULL::INT, NULL::TEXT, NULL::BYTEA;
        RETURN;
    END IF;
    RETURN QUERY SELECT true, k.fingerprint, k.response_status, k.response_headers, k.response_body
        FROM idempotency_key k
        WHERE k.scope = p_scope AND k.key = p_key AND k.created_at >= now() - p_retained;
    IF NOT FOUND THEN
        RETURN QUERY SELECT true, NULL::CHAR(64), NULL::INT, NULL::TEXT, NULL::BYTEA;
    END IF;
END $$;
