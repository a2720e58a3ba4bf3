-- Numbered 1004.1, after service-support's migrations (db/support, V1000 on), because it adds a trigger to their
-- idempotency_key table.
--
-- A create under an Idempotency-Key keeps its answer in idempotency_key inside the request's transaction, and that
-- answer shows the invoice's number, which V6 gives only as the transaction commits. Until now such a create took
-- its number early (SET CONSTRAINTS invoice_number_at_commit IMMEDIATE), so it held the store's numbering lock
-- across the rest of the request — reading the number, writing the answer, keeping it, committing — and every
-- keyed create of the store queued behind it: under 16 threads of keyed creates that statement waited 42 ms per
-- create on average (log_min_duration_statement, 1,685 creates).
--
-- Now the answer is kept with "number":null, and this deferred trigger, queued after the event's insert and so
-- fired after V6's at commit, writes the number the event got into it; the client is sent the kept answer as
-- committed (Idempotency.answerCompletedAtCommit). The lock is held for the commit alone, as for a create
-- without a key. An answer that already shows a number, or is not an invoice's, is left as it is.
--
-- PostgreSQL fires deferred triggers at COMMIT in the order their events were queued, across tables (trigger.c:
-- each statement's events go to the end of the transaction's one list, which AfterTriggerFireDeferred runs from
-- the front); its documentation promises only the order of triggers on one event. WriteApiIT's keyed-create
-- tests fail should that change.
CREATE FUNCTION number_kept_answer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_body TEXT := convert_from(NEW.response_body, 'UTF8');
    v_number TEXT;
BEGIN
    IF v_body::json ->> 'object' IS DISTINCT FROM 'invoice' THEN
        RETURN NULL;
    END IF;
    SELECT convert_from(e.payload, 'UTF8')::json ->> 'number' INTO v_number FROM domain_event_entry e
    WHERE e.aggregate_identifier = v_body::json ->> 'id' AND e.sequence_number = 0;
    -- Only a create answers 201 with an invoice at the top (payments, refunds and credit notes wrap it), and every
    -- create since V6 is numbered: no number here means V6's trigger has not fired first, and the create fails
    -- rather than be answered without its number.
    IF v_number IS NULL THEN
        RAISE EXCEPTION 'the kept answer of invoice % has no number to show', v_body::json ->> 'id';
    END IF;
    -- The view's JSON is compact and "number" is its third key, after the id and "object" (InvoiceView): the
    -- first "number":null is that key.
    UPDATE idempotency_key SET response_body = convert_to(regexp_replace(v_body, '"number":null',
            '"number":' || to_json(v_number)::text), 'UTF8')
    WHERE scope = NEW.scope AND key = NEW.key;
    RETURN NULL;
END $$;

-- Inserted, or updated over an expired record of the same key (IdempotencyStore.keep).
CREATE CONSTRAINT TRIGGER kept_answer_numbered_at_commit AFTER INSERT OR UPDATE ON idempotency_key
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.response_status = 201 AND position('"number":null' IN convert_from(NEW.response_body, 'UTF8')) > 0)
    EXECUTE FUNCTION number_kept_answer();
