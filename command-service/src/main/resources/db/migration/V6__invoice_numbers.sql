-- Invoice numbers (SPEC §4.2): each store numbers its invoices <invoice_prefix>-000001, -000002, … in each mode,
-- without gaps, across every instance. Invoices created before numbering have none.
--
-- The event store numbers an InvoiceCreated as its transaction commits: a deferred trigger on the event's row
-- waits for the store and mode's lock, adds the row after the last committed one to invoice_number, and writes
-- the number into the stored event. A create that is refused appends no event and takes no number; one whose
-- transaction rolls back takes its row with it; racing creates get consecutive numbers in commit order.
--
-- Why at commit (measured with ./ledger bench, ledger-local/README.md): a lock taken in the command handler is
-- held across the rest of the command, the event's insert and the commit, and on a busy machine every one of
-- those round trips waits for a core: all of a store's creates then queue behind that, and the bench's creates
-- fell by 40 %. Taken at commit, the lock is held for the commit alone.
ALTER TABLE store ADD COLUMN invoice_prefix VARCHAR(12) NOT NULL DEFAULT 'INV';

-- Rows are only ever inserted: a counter row updated by every create would pile up dead versions.
CREATE TABLE invoice_number (
    store_id   VARCHAR(64) NOT NULL, -- no foreign key: its check would share-lock the store's row on every create
    livemode   BOOLEAN     NOT NULL,
    number     BIGINT      NOT NULL,
    invoice_id VARCHAR(64) NOT NULL UNIQUE,
    PRIMARY KEY (store_id, livemode, number)
);

CREATE FUNCTION number_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_payload TEXT := convert_from(NEW.payload, 'UTF8');
    v_store VARCHAR := v_payload::json ->> 'store_id';
    v_live BOOLEAN := (v_payload::json ->> 'livemode')::boolean;
    v_number BIGINT;
    v_prefix VARCHAR;
BEGIN
    -- 1 namespaces this lock among the database's advisory locks; a hash collision only queues two stores together
    PERFORM pg_advisory_xact_lock(1, hashtext(v_store || CASE WHEN v_live THEN ':live' ELSE ':test' END));
    -- A statement started after the lock was granted: it sees the number the previous holder committed.
    INSERT INTO invoice_number AS n (store_id, livemode, number, invoice_id)
    SELECT v_store, v_live, coalesce(max(m.number), 0) + 1, NEW.aggregate_identifier
    FROM invoice_number m WHERE m.store_id = v_store AND m.livemode = v_live
    RETURNING n.number INTO v_number;
    SELECT s.invoice_prefix INTO v_prefix FROM store s WHERE s.id = v_store;
    -- The event's JSON is compact and "number" is its sixth key, after generated ids only (golden file
    -- invoice-created.json): the first "number":null is that key.
    IF position('"number":null' IN v_payload) = 0 THEN
        RAISE EXCEPTION 'InvoiceCreated % has no "number":null to fill in', NEW.event_identifier;
    END IF;
    UPDATE domain_event_entry SET payload = convert_to(regexp_replace(v_payload, '"number":null',
            '"number":"' || coalesce(v_prefix, 'INV') || '-' || lpad(v_number::text, greatest(6, length(v_number::text)),
            '0') || '"'), 'UTF8')
    WHERE global_index = NEW.global_index;
    RETURN NULL;
END $$;

-- Revision 1 events (no payload revision, from before numbering) are not numbered.
CREATE CONSTRAINT TRIGGER invoice_number_at_commit AFTER INSERT ON domain_event_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.payload_type = 'ledger.events.InvoiceCreated' AND NEW.payload_revision IS NOT NULL)
    EXECUTE FUNCTION number_invoice();
