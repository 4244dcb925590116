-- Decisions are immutable once recorded, except superseded_by, which is set
-- once, when a later decision for the same application replaces this one.
-- Times are timestamptz (microseconds). reasons and evidence are jsonb in the
-- shapes the SQLite store writes as text, so that data moves between the two.
-- Decision ids are ASCII ULIDs compared in the "C" collation, byte order, so
-- that id order (the listings' order and keyset) is time order whatever the
-- database's default collation.
CREATE TABLE decisions (
    id               text        COLLATE "C" NOT NULL PRIMARY KEY,
    application_id   text        NOT NULL,
    nib              text        NOT NULL,
    region_code      text        NOT NULL,
    permit_type      text        NOT NULL,
    outcome          text        NOT NULL,
    reasons          jsonb       NOT NULL,
    evidence         jsonb       NOT NULL,
    policy_version   text        NOT NULL,
    decided_at       timestamptz NOT NULL,
    valid_until      timestamptz,
    supersedes       text        COLLATE "C" REFERENCES decisions (id),
    -- Deferred: RecordDecision marks the old head superseded before it
    -- inserts the new decision, because the head index below allows only one
    -- unsuperseded decision per application at any moment (a unique index
    -- cannot be deferred; a foreign key can).
    superseded_by    text        COLLATE "C" REFERENCES decisions (id) DEFERRABLE INITIALLY DEFERRED,
    review           jsonb,
    client_id        text        NOT NULL,
    webhook_id       text        NOT NULL,
    callback_url     text        NOT NULL,
    declared_workers integer     NOT NULL
);

-- At most one head (current decision) per application.
CREATE UNIQUE INDEX decisions_head ON decisions (application_id) WHERE superseded_by IS NULL;
-- A decision is superseded by at most one other: the history is a chain.
CREATE UNIQUE INDEX decisions_supersedes ON decisions (supersedes) WHERE supersedes IS NOT NULL;

CREATE INDEX decisions_application ON decisions (application_id, decided_at);
CREATE INDEX decisions_nib ON decisions (nib, decided_at);
CREATE INDEX decisions_region_outcome ON decisions (region_code, outcome, decided_at);
