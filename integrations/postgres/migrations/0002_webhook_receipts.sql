-- One row per webhook delivery answered. The primary key is what makes a
-- delivery idempotent: a second insert for the same (client_id, webhook_id)
-- conflicts, also when two copies arrive at the same moment on two replicas
-- (the second insert waits for the first transaction, then finds the key).
CREATE TABLE webhook_receipts (
    client_id   text        NOT NULL,
    webhook_id  text        NOT NULL,
    -- Deferred: the receipt is inserted first, so that a duplicate delivery
    -- is detected before any other write, and the decision right after.
    decision_id text        COLLATE "C" NOT NULL REFERENCES decisions (id) DEFERRABLE INITIALLY DEFERRED,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (client_id, webhook_id)
);

CREATE INDEX webhook_receipts_decision ON webhook_receipts (decision_id);
