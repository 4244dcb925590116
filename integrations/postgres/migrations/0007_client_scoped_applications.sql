-- An application id belongs to the webhook client that sent it: two clients
-- never supersede each other's applications. The head index becomes one
-- unsuperseded decision per (client_id, application_id), and the chains
-- that earlier versions let cross clients are split back into one chain per
-- client. (Same name and effect as the SQLite store's 0007.)
DROP INDEX decisions_head;

-- A decision that answered a delivery belongs to the client that sent it
-- (webhook_receipts knows it). Decisions have always carried client_id, so
-- this changes nothing unless a row was written otherwise.
UPDATE decisions d SET client_id = w.client_id
FROM webhook_receipts w
WHERE w.decision_id = d.id AND w.client_id <> d.client_id;

-- The applications whose chain crosses clients, each decision's place in
-- that chain (depth from its root), and its new neighbours: the previous
-- and next decision of the same client in chain order.
CREATE TEMP TABLE relink ON COMMIT DROP AS
WITH RECURSIVE
    mixed (application_id) AS (
        SELECT DISTINCT d.application_id FROM decisions d JOIN decisions p ON p.id = d.supersedes
        WHERE p.client_id <> d.client_id),
    chain (id, depth) AS (
        SELECT d.id, 0 FROM decisions d JOIN mixed m ON m.application_id = d.application_id
        WHERE d.supersedes IS NULL
        UNION ALL
        SELECT d.id, c.depth + 1 FROM decisions d JOIN chain c ON d.supersedes = c.id)
SELECT d.id AS id,
       lag(d.id) OVER w AS supersedes,
       lead(d.id) OVER w AS superseded_by
FROM decisions d JOIN chain c ON c.id = d.id
WINDOW w AS (PARTITION BY d.client_id, d.application_id ORDER BY c.depth);

-- Cleared first, so that no row briefly shares a supersedes value with
-- another (decisions_supersedes is checked row by row).
UPDATE decisions SET supersedes = NULL, superseded_by = NULL WHERE id IN (SELECT id FROM relink);
UPDATE decisions d SET supersedes = r.supersedes, superseded_by = r.superseded_by
FROM relink r WHERE d.id = r.id;

-- The deferred foreign key checks of the updates above are run now:
-- PostgreSQL builds no index on a table with pending trigger events.
SET CONSTRAINTS ALL IMMEDIATE;

-- At most one head (current decision) per application of a client.
CREATE UNIQUE INDEX decisions_head ON decisions (client_id, application_id) WHERE superseded_by IS NULL;
