-- The PostgreSQL store's 0017 reorders its record_decision function. SQLite
-- has no such function; this migration keeps the two stores' sets of
-- migration names equal, so that a schema version means the same on both.
SELECT 1;
