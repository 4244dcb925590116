-- The access trail (UU 27/2022, personal data protection): who read or acted
-- on what. ids are "aud_" + ULID, so id order is time order. Entries are
-- never changed; deleting old ones is left to a retention job.
CREATE TABLE audit (
    id          TEXT NOT NULL PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    resource    TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    detail      TEXT NOT NULL
) STRICT;

CREATE INDEX audit_actor ON audit (actor, id);
CREATE INDEX audit_action ON audit (action, id);
CREATE INDEX audit_resource_id ON audit (resource_id, id);
CREATE INDEX audit_at ON audit (at);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
