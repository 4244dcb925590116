-- The PostgreSQL store's 0012 creates its one-statement record_decision
-- function. SQLite needs no counterpart (its store records through prepared
-- statements in process); this migration keeps the two stores' sets of
-- migration names equal, so that a schema version means the same on both.
SELECT 1;
