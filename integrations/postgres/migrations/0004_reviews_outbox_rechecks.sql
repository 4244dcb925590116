-- Every review action taken, in order: the decision's review column holds only
-- the latest state, this table the history. Append-only: the triggers below
-- refuse UPDATE, DELETE and TRUNCATE.
CREATE TABLE review_actions (
    seq              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decision_id      text        COLLATE "C" NOT NULL REFERENCES decisions (id),
    action           text        NOT NULL,
    note             text        NOT NULL,
    actor            text        NOT NULL,
    -- NULL when the review carried no time (the SQLite store writes "").
    at               timestamptz,
    -- The decision recorded by the action (override, reevaluate), if any.
    next_decision_id text        COLLATE "C" REFERENCES decisions (id) DEFERRABLE INITIALLY DEFERRED
);

CREATE INDEX review_actions_decision ON review_actions (decision_id, seq);
CREATE INDEX review_actions_next ON review_actions (next_decision_id) WHERE next_decision_id IS NOT NULL;

-- restrict_violation (SQLSTATE 23001) is an integrity constraint violation,
-- which the store reports as a conflict, as SQLite's RAISE(ABORT) is.
CREATE FUNCTION jkngate_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER review_actions_no_update BEFORE UPDATE ON review_actions
    FOR EACH ROW EXECUTE FUNCTION jkngate_append_only();
CREATE TRIGGER review_actions_no_delete BEFORE DELETE ON review_actions
    FOR EACH ROW EXECUTE FUNCTION jkngate_append_only();
CREATE TRIGGER review_actions_no_truncate BEFORE TRUNCATE ON review_actions
    FOR EACH STATEMENT EXECUTE FUNCTION jkngate_append_only();

-- The outbox: decision.updated callbacks, inserted in the transaction of the
-- decision that causes them. A worker claims due pending rows by setting
-- lease_until (UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED));
-- a row whose lease has passed can be claimed again.
CREATE TABLE callbacks (
    id           text        COLLATE "C" NOT NULL PRIMARY KEY,
    -- Deferred: a callback may be inserted before its decision in one
    -- transaction.
    decision_id  text        COLLATE "C" NOT NULL REFERENCES decisions (id) DEFERRABLE INITIALLY DEFERRED,
    client_id    text        NOT NULL,
    url          text        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts     integer     NOT NULL,
    next_attempt timestamptz NOT NULL,
    last_error   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    lease_until  timestamptz
);

CREATE INDEX callbacks_due ON callbacks (next_attempt) WHERE state = 'pending';
CREATE INDEX callbacks_decision ON callbacks (decision_id);

-- Decisions answered while BPJS could not be reached, waiting to be evaluated
-- again. A row is deleted when its recheck is done.
CREATE TABLE rechecks (
    decision_id  text        COLLATE "C" NOT NULL PRIMARY KEY REFERENCES decisions (id) DEFERRABLE INITIALLY DEFERRED,
    attempts     integer     NOT NULL,
    next_attempt timestamptz NOT NULL,
    until        timestamptz,
    lease_until  timestamptz
);

CREATE INDEX rechecks_due ON rechecks (next_attempt);
