-- record_decision (0012) takes its application's lock before it inserts the
-- receipt, as record_decisions (0014, 0016) does; it took them the other way
-- round. Two transactions recording the same delivery (on two replicas, or a
-- batch and a decision recorded alone after its batch failed) could then
-- deadlock: the lone one held the uncommitted receipt and waited for the
-- lock, the batch held the lock and waited for the receipt. PostgreSQL broke
-- the cycle after deadlock_timeout (1 s by default) by failing one of them,
-- which was retried: no decision was lost, but both webhooks waited a second.
-- TestReplicasBatchesOneHeadPerApplication showed it in 3 of 40 runs under
-- the race detector (the server log gave the cycle above).
--
-- Otherwise unchanged: a delivery already answered is answered with its
-- decision, now after waiting for the application's lock.
CREATE OR REPLACE FUNCTION record_decision(
    p_id text, p_application_id text, p_nib text, p_region_code text, p_permit_type text,
    p_outcome text, p_reasons jsonb, p_evidence jsonb, p_policy_version text,
    p_decided_at timestamptz, p_valid_until timestamptz, p_review jsonb,
    p_client_id text, p_webhook_id text, p_callback_url text, p_declared_workers integer,
    p_application jsonb, p_received_at timestamptz,
    p_recheck_at timestamptz, p_recheck_until timestamptz)
RETURNS TABLE (
    o_created boolean, o_id text, o_application_id text, o_nib text, o_region_code text,
    o_permit_type text, o_outcome text, o_reasons jsonb, o_evidence jsonb,
    o_policy_version text, o_decided_at timestamptz, o_valid_until timestamptz,
    o_supersedes text, o_review jsonb, o_client_id text, o_webhook_id text,
    o_callback_url text, o_declared_workers integer, o_application jsonb)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_head text;
    v_decision text;
BEGIN
    -- The lock before the receipt, as record_decisions takes them.
    PERFORM pg_advisory_xact_lock(1785425511, hashtext(p_client_id || chr(31) || p_application_id));
    INSERT INTO webhook_receipts AS w (client_id, webhook_id, decision_id, received_at)
    VALUES (p_client_id, p_webhook_id, p_id, p_received_at)
    ON CONFLICT (client_id, webhook_id) DO NOTHING;
    IF NOT FOUND THEN
        -- A fresh snapshot: taken after the conflicting transaction committed.
        SELECT w.decision_id INTO v_decision FROM webhook_receipts w
        WHERE w.client_id = p_client_id AND w.webhook_id = p_webhook_id;
        RETURN QUERY SELECT false, d.id::text, d.application_id, d.nib, d.region_code, d.permit_type,
            d.outcome, d.reasons, d.evidence, d.policy_version, d.decided_at, d.valid_until,
            d.supersedes::text, d.review, d.client_id, d.webhook_id, d.callback_url,
            d.declared_workers, d.application
        FROM decisions d WHERE d.id = v_decision;
        RETURN;
    END IF;

    SELECT d.id INTO v_head FROM decisions d
    WHERE d.client_id = p_client_id AND d.application_id = p_application_id AND d.superseded_by IS NULL
    FOR NO KEY UPDATE;
    IF FOUND THEN
        -- Before the insert: decisions_head allows one head at a time
        -- (superseded_by's foreign key is deferred to the commit).
        UPDATE decisions d SET superseded_by = p_id WHERE d.id = v_head;
    END IF;

    INSERT INTO decisions (id, application_id, nib, region_code, permit_type,
        outcome, reasons, evidence, policy_version, decided_at, valid_until, supersedes, review,
        client_id, webhook_id, callback_url, declared_workers, application)
    VALUES (p_id, p_application_id, p_nib, p_region_code, p_permit_type,
        p_outcome, p_reasons, p_evidence, p_policy_version, p_decided_at, p_valid_until, v_head, p_review,
        p_client_id, p_webhook_id, p_callback_url, p_declared_workers, p_application);
    IF p_recheck_at IS NOT NULL THEN
        INSERT INTO rechecks (decision_id, attempts, next_attempt, until)
        VALUES (p_id, 0, p_recheck_at, p_recheck_until);
    END IF;

    -- The new decision as stored; only supersedes is the store's own.
    RETURN QUERY SELECT true, p_id, NULL::text, NULL::text, NULL::text, NULL::text,
        NULL::text, NULL::jsonb, NULL::jsonb, NULL::text, NULL::timestamptz, NULL::timestamptz,
        v_head, NULL::jsonb, NULL::text, NULL::text, NULL::text, NULL::integer, NULL::jsonb;
END
$$;
