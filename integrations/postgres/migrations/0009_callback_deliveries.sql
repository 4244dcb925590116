-- Deliveries can be inspected and retried by admins (GET /v1/callbacks,
-- POST /v1/callbacks/{id}/retry): each records its kind and when it was
-- delivered, and listings by state page by id.
ALTER TABLE callbacks ADD COLUMN kind text NOT NULL DEFAULT 'decision.updated';
ALTER TABLE callbacks ADD COLUMN delivered_at timestamptz;

CREATE INDEX callbacks_state ON callbacks (state, id COLLATE "C");
