-- The access trail (UU 27/2022, personal data protection): who read or acted
-- on what. ids are "aud_" + ULID, so id order (in the "C" collation) is time
-- order. Entries are never changed; deleting old ones is left to a retention
-- job.
CREATE TABLE audit (
    id          text        COLLATE "C" NOT NULL PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    action      text        NOT NULL,
    resource    text        NOT NULL,
    resource_id text        NOT NULL,
    detail      text        NOT NULL
);

CREATE INDEX audit_actor ON audit (actor, id);
CREATE INDEX audit_action ON audit (action, id);
CREATE INDEX audit_resource_id ON audit (resource_id, id);
CREATE INDEX audit_at ON audit (at);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    FOR EACH ROW EXECUTE FUNCTION jkngate_append_only();
