-- Decisions are immutable once recorded, except superseded_by, which is set
-- once, when a later decision for the same application replaces this one.
-- Times are UTC text in a fixed-width layout (see timeLayout) so that they
-- sort and compare as text. reasons, evidence and review are JSON.
CREATE TABLE decisions (
    id               TEXT    NOT NULL PRIMARY KEY,
    application_id   TEXT    NOT NULL,
    nib              TEXT    NOT NULL,
    region_code      TEXT    NOT NULL,
    permit_type      TEXT    NOT NULL,
    outcome          TEXT    NOT NULL,
    reasons          TEXT    NOT NULL,
    evidence         TEXT    NOT NULL,
    policy_version   TEXT    NOT NULL,
    decided_at       TEXT    NOT NULL,
    valid_until      TEXT,
    supersedes       TEXT    REFERENCES decisions (id),
    -- Deferred: RecordDecision marks the old head superseded before it
    -- inserts the new decision, because the head index below allows only one
    -- unsuperseded decision per application at any moment.
    superseded_by    TEXT    REFERENCES decisions (id) DEFERRABLE INITIALLY DEFERRED,
    review           TEXT,
    client_id        TEXT    NOT NULL,
    webhook_id       TEXT    NOT NULL,
    callback_url     TEXT    NOT NULL,
    declared_workers INTEGER NOT NULL
) STRICT;

-- At most one head (current decision) per application.
CREATE UNIQUE INDEX decisions_head ON decisions (application_id) WHERE superseded_by IS NULL;
-- A decision is superseded by at most one other: the history is a chain.
CREATE UNIQUE INDEX decisions_supersedes ON decisions (supersedes) WHERE supersedes IS NOT NULL;

CREATE INDEX decisions_application ON decisions (application_id, decided_at);
CREATE INDEX decisions_nib ON decisions (nib, decided_at);
CREATE INDEX decisions_region_outcome ON decisions (region_code, outcome, decided_at);
