-- Every review action taken, in order: the decision's review column holds only
-- the latest state, this table the history. Append-only.
CREATE TABLE review_actions (
    seq              INTEGER NOT NULL PRIMARY KEY,
    decision_id      TEXT    NOT NULL REFERENCES decisions (id),
    action           TEXT    NOT NULL,
    note             TEXT    NOT NULL,
    actor            TEXT    NOT NULL,
    at               TEXT    NOT NULL,
    -- The decision recorded by the action (override, reevaluate), if any.
    next_decision_id TEXT    REFERENCES decisions (id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE INDEX review_actions_decision ON review_actions (decision_id, seq);
-- For the deferred foreign key's lookups (see decisions_superseded_by).
CREATE INDEX review_actions_next ON review_actions (next_decision_id) WHERE next_decision_id IS NOT NULL;

CREATE TRIGGER review_actions_no_update BEFORE UPDATE ON review_actions
BEGIN
    SELECT RAISE(ABORT, 'review_actions is append-only');
END;

CREATE TRIGGER review_actions_no_delete BEFORE DELETE ON review_actions
BEGIN
    SELECT RAISE(ABORT, 'review_actions is append-only');
END;

-- The outbox: decision.updated callbacks, inserted in the transaction of the
-- decision that causes them. A worker claims due pending rows by setting
-- lease_until; a row whose lease has passed can be claimed again.
CREATE TABLE callbacks (
    id           TEXT    NOT NULL PRIMARY KEY,
    -- Deferred: a callback may be inserted before its decision in one
    -- transaction.
    decision_id  TEXT    NOT NULL REFERENCES decisions (id) DEFERRABLE INITIALLY DEFERRED,
    client_id    TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL,
    next_attempt TEXT    NOT NULL,
    last_error   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    lease_until  TEXT
) STRICT;

CREATE INDEX callbacks_due ON callbacks (next_attempt) WHERE state = 'pending';
CREATE INDEX callbacks_decision ON callbacks (decision_id);

-- Decisions answered while BPJS could not be reached, waiting to be evaluated
-- again. A row is deleted when its recheck is done.
CREATE TABLE rechecks (
    decision_id  TEXT    NOT NULL PRIMARY KEY REFERENCES decisions (id) DEFERRABLE INITIALLY DEFERRED,
    attempts     INTEGER NOT NULL,
    next_attempt TEXT    NOT NULL,
    until        TEXT,
    lease_until  TEXT
) STRICT;

CREATE INDEX rechecks_due ON rechecks (next_attempt);
