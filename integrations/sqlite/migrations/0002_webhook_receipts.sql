-- One row per webhook delivery answered. The primary key is what makes a
-- delivery idempotent: a second insert for the same (client_id, webhook_id)
-- conflicts, also when two copies arrive at the same moment.
CREATE TABLE webhook_receipts (
    client_id   TEXT NOT NULL,
    webhook_id  TEXT NOT NULL,
    -- Deferred: the receipt is inserted first, so that a duplicate delivery
    -- is detected before any other write, and the decision right after.
    decision_id TEXT NOT NULL REFERENCES decisions (id) DEFERRABLE INITIALLY DEFERRED,
    received_at TEXT NOT NULL,
    PRIMARY KEY (client_id, webhook_id)
) STRICT;

CREATE INDEX webhook_receipts_decision ON webhook_receipts (decision_id);
