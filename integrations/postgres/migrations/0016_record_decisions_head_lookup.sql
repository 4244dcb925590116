-- record_decisions(text[], ...) as in 0014, with one change: a decision
-- supersedes its application's head through an UPDATE only when a head
-- exists, which an index lookup tells first. The application's lock is held
-- already, so no head can appear or go between the lookup and the UPDATE,
-- which still checks that the row is the head.
--
-- An UPDATE of decisions that matches no row still opens its twelve
-- indexes and prepares its triggers: in a loop of calls inside one
-- transaction (no commits), a batch of two new applications took 990 µs
-- of PostgreSQL time with it and 820 µs with the lookup first, a batch of
-- one 630 and 440 µs. Most decisions are of new applications, and at
-- moderate load most batches hold two or three of them.
CREATE OR REPLACE FUNCTION record_decisions(
    p_id text[], p_application_id text[], p_nib text[], p_region_code text[], p_permit_type text[],
    p_outcome text[], p_reasons text[], p_evidence text[], p_policy_version text[],
    p_decided_at timestamptz[], p_valid_until timestamptz[], p_review text[],
    p_client_id text[], p_webhook_id text[], p_callback_url text[], p_declared_workers integer[],
    p_application text[], p_received_at timestamptz,
    p_recheck_at timestamptz[], p_recheck_until timestamptz[])
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
    v_n integer := coalesce(cardinality(p_id), 0);
    v_new text[];   -- the ids of the items whose delivery is new
    v_head text[] := array_fill(NULL::text, ARRAY[v_n]); -- the head item i supersedes
    v_h text;
    v_set boolean := false;
BEGIN
    -- One statement for all the locks, taken in the subquery's order.
    PERFORM pg_advisory_xact_lock(1785425511, k.key)
    FROM (SELECT DISTINCT hashtext(u.c || chr(31) || u.a) AS key
          FROM unnest(p_client_id, p_application_id) AS u(c, a)
          ORDER BY 1) AS k;

    IF (SELECT count(DISTINCT (u.c, u.a)) = v_n AND count(DISTINCT (u.c, u.w)) = v_n
        FROM unnest(p_client_id, p_application_id, p_webhook_id) AS u(c, a, w)) THEN
        BEGIN
            WITH r AS (
                INSERT INTO webhook_receipts AS w (client_id, webhook_id, decision_id, received_at)
                SELECT u.c, u.w, u.id, p_received_at
                FROM unnest(p_client_id, p_webhook_id, p_id) AS u(c, w, id)
                ON CONFLICT (client_id, webhook_id) DO NOTHING
                RETURNING w.decision_id)
            SELECT coalesce(array_agg(r.decision_id), '{}') INTO v_new FROM r;

            -- Before the insert: decisions_head allows one head at a time
            -- (superseded_by's foreign key is deferred to the commit). One
            -- statement per item, so that each is a lookup in decisions_head
            -- whatever the planner knows of the table: a plan cached while
            -- the table was empty would scan it all for a join. The UPDATE
            -- runs only for an application that has a head: starting an
            -- UPDATE of decisions opens all its indexes, whether or not a
            -- row matches.
            FOR v_i IN 1 .. v_n LOOP
                IF p_id[v_i] = ANY (v_new) AND EXISTS (SELECT FROM decisions d
                        WHERE d.client_id = p_client_id[v_i] AND d.application_id = p_application_id[v_i]
                          AND d.superseded_by IS NULL) THEN
                    UPDATE decisions d SET superseded_by = p_id[v_i]
                    WHERE d.client_id = p_client_id[v_i] AND d.application_id = p_application_id[v_i]
                      AND d.superseded_by IS NULL
                    RETURNING d.id INTO v_h;
                    v_head[v_i] := v_h;
                END IF;
            END LOOP;

            INSERT INTO decisions (id, application_id, nib, region_code, permit_type,
                outcome, reasons, evidence, policy_version, decided_at, valid_until, supersedes, review,
                client_id, webhook_id, callback_url, declared_workers, application)
            SELECT u.id, u.application_id, u.nib, u.region_code, u.permit_type,
                u.outcome, u.reasons::jsonb, u.evidence::jsonb, u.policy_version, u.decided_at,
                u.valid_until, u.head, u.review::jsonb, u.client_id, u.webhook_id, u.callback_url,
                u.declared_workers, u.application::jsonb
            FROM unnest(p_id, p_application_id, p_nib, p_region_code, p_permit_type, p_outcome,
                    p_reasons, p_evidence, p_policy_version, p_decided_at, p_valid_until, p_review,
                    p_client_id, p_webhook_id, p_callback_url, p_declared_workers, p_application, v_head)
                AS u(id, application_id, nib, region_code, permit_type, outcome,
                    reasons, evidence, policy_version, decided_at, valid_until, review,
                    client_id, webhook_id, callback_url, declared_workers, application, head)
            WHERE u.id = ANY (v_new);

            INSERT INTO rechecks (decision_id, attempts, next_attempt, until)
            SELECT u.id, 0, u.at, u.until
            FROM unnest(p_id, p_recheck_at, p_recheck_until) AS u(id, at, until)
            WHERE u.id = ANY (v_new) AND u.at IS NOT NULL;
            v_set := true;
        EXCEPTION WHEN OTHERS THEN
            IF SQLSTATE IN ('40001', '40P01') THEN
                RAISE;
            END IF;
            -- Rolled back: the items go one by one below.
        END;
    END IF;
    IF v_set THEN
        -- A new decision is answered with its id and supersedes only (the
        -- caller has the rest).
        RETURN QUERY
        SELECT (u.i - 1)::integer, true, u.id, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::text, NULL::jsonb, NULL::jsonb, NULL::text, NULL::timestamptz, NULL::timestamptz,
            u.head, NULL::jsonb, NULL::text, NULL::text, NULL::text, NULL::integer, NULL::jsonb,
            NULL::text, NULL::text
        FROM unnest(p_id, v_head) WITH ORDINALITY AS u(id, head, i)
        WHERE u.id = ANY (v_new);
        -- A delivery already answered, with the decision recorded then.
        FOR v_i IN 1 .. v_n LOOP
            IF NOT p_id[v_i] = ANY (v_new) THEN
                RETURN QUERY
                SELECT v_i - 1, false, d.id::text, d.application_id, d.nib, d.region_code,
                    d.permit_type, d.outcome, d.reasons, d.evidence, d.policy_version, d.decided_at,
                    d.valid_until, d.supersedes::text, d.review, d.client_id, d.webhook_id,
                    d.callback_url, d.declared_workers, d.application, NULL::text, NULL::text
                FROM webhook_receipts w JOIN decisions d ON d.id = w.decision_id
                WHERE w.client_id = p_client_id[v_i] AND w.webhook_id = p_webhook_id[v_i];
            END IF;
        END LOOP;
        RETURN;
    END IF;

    FOR v_i IN 1 .. v_n LOOP
        o_index := v_i - 1;
        o_error_code := NULL;
        o_error_message := NULL;
        BEGIN
            SELECT * INTO o_created, o_id, o_application_id, o_nib, o_region_code,
                o_permit_type, o_outcome, o_reasons, o_evidence, o_policy_version,
                o_decided_at, o_valid_until, o_supersedes, o_review, o_client_id,
                o_webhook_id, o_callback_url, o_declared_workers, o_application
            FROM record_decision(p_id[v_i], p_application_id[v_i], p_nib[v_i], p_region_code[v_i],
                p_permit_type[v_i], p_outcome[v_i], p_reasons[v_i]::jsonb, p_evidence[v_i]::jsonb,
                p_policy_version[v_i], p_decided_at[v_i], p_valid_until[v_i], p_review[v_i]::jsonb,
                p_client_id[v_i], p_webhook_id[v_i], p_callback_url[v_i], p_declared_workers[v_i],
                p_application[v_i]::jsonb, p_received_at, p_recheck_at[v_i], p_recheck_until[v_i]);
        EXCEPTION WHEN OTHERS THEN
            IF SQLSTATE IN ('40001', '40P01') THEN
                RAISE;
            END IF;
            -- o_id is the item's id, so that every row has one.
            SELECT false, p_id[v_i], NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
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
