-- record_decisions records a batch of decisions (group commit) in one
-- statement, so in one transaction and one WAL flush: the store's batching
-- writer sends the RecordDecision calls that arrived together.
--
-- p_items is a JSON array of objects, one per decision, with the parameters
-- of record_decision (0012) by name without their p_ prefix, plus "i", the
-- item's index, returned with its row so that the caller can match rows to
-- items.
--
-- Each item runs record_decision in a block of its own (BEGIN ... EXCEPTION,
-- a subtransaction): an item that fails (a decision id already taken, a
-- value that cannot be stored) is rolled back alone and answered with its
-- SQLSTATE and message; the others go on. A serialization failure or a
-- deadlock is raised again instead, so the whole batch fails and the caller
-- records its items one by one through record_decision; correctness never
-- depends on the batch.
--
-- Before any item, the application locks of the whole batch are taken in
-- ascending key order, so that two batches (on two replicas) that share
-- applications wait for each other instead of deadlocking. record_decision
-- takes its item's lock again, which a lock already held grants at once.
-- The items then run in the order given, so two copies of one delivery in a
-- batch give one decision (the second is answered with the first's) and the
-- decisions of one application chain in arrival order. Each statement of a
-- VOLATILE function takes a fresh snapshot under READ COMMITTED, so every
-- head read sees the previous lock holder's commit, as in record_decision.
--
-- The store keeps a batch to at most 64 items: a transaction with more
-- than 64 subtransactions that wrote overflows PostgreSQL's per-backend
-- subtransaction cache, which slows every other session's snapshots.
CREATE FUNCTION record_decisions(p_items jsonb)
RETURNS TABLE (
    o_index integer,
    o_created boolean, o_id text, o_application_id text, o_nib text, o_region_code text,
    o_permit_type text, o_outcome text, o_reasons jsonb, o_evidence jsonb,
    o_policy_version text, o_decided_at timestamptz, o_valid_until timestamptz,
    o_supersedes text, o_review jsonb, o_client_id text, o_webhook_id text,
    o_callback_url text, o_declared_workers integer, o_application jsonb,
    o_error_code text, o_error_message text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_key integer;
    v_item record;
BEGIN
    FOR v_key IN
        SELECT DISTINCT hashtext(x.client_id || chr(31) || x.application_id)
        FROM jsonb_to_recordset(p_items) AS x(client_id text, application_id text)
        ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock(1785425511, v_key);
    END LOOP;

    FOR v_item IN
        SELECT * FROM jsonb_to_recordset(p_items) AS x(
            i integer, id text, application_id text, nib text, region_code text, permit_type text,
            outcome text, reasons jsonb, evidence jsonb, policy_version text,
            decided_at timestamptz, valid_until timestamptz, review jsonb,
            client_id text, webhook_id text, callback_url text, declared_workers integer,
            application jsonb, received_at timestamptz,
            recheck_at timestamptz, recheck_until timestamptz)
        ORDER BY x.i
    LOOP
        o_index := v_item.i;
        o_error_code := NULL;
        o_error_message := NULL;
        BEGIN
            SELECT * INTO o_created, o_id, o_application_id, o_nib, o_region_code,
                o_permit_type, o_outcome, o_reasons, o_evidence, o_policy_version,
                o_decided_at, o_valid_until, o_supersedes, o_review, o_client_id,
                o_webhook_id, o_callback_url, o_declared_workers, o_application
            FROM record_decision(v_item.id, v_item.application_id, v_item.nib, v_item.region_code,
                v_item.permit_type, v_item.outcome, v_item.reasons, v_item.evidence,
                v_item.policy_version, v_item.decided_at, v_item.valid_until, v_item.review,
                v_item.client_id, v_item.webhook_id, v_item.callback_url, v_item.declared_workers,
                v_item.application, v_item.received_at, v_item.recheck_at, v_item.recheck_until);
        EXCEPTION WHEN OTHERS THEN
            IF SQLSTATE IN ('40001', '40P01') THEN
                RAISE;
            END IF;
            -- o_id is the item's id, so that every row has one.
            SELECT false, v_item.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, SQLSTATE, SQLERRM
            INTO o_created, o_id, o_application_id, o_nib, o_region_code,
                o_permit_type, o_outcome, o_reasons, o_evidence, o_policy_version,
                o_decided_at, o_valid_until, o_supersedes, o_review, o_client_id,
                o_webhook_id, o_callback_url, o_declared_workers, o_application,
                o_error_code, o_error_message;
        END;
        RETURN NEXT;
    END LOOP;
END
$$;
