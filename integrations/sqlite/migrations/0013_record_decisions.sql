-- The PostgreSQL store's 0013 creates its record_decisions function, which
-- records a batch of decisions (group commit) in one statement. SQLite needs
-- no counterpart (its group writer batches in process, statement by
-- statement); this migration keeps the two stores' sets of migration names
-- equal, so that a schema version means the same on both.
SELECT 1;
