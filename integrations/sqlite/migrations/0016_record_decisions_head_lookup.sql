-- The PostgreSQL store's 0016 replaces its record_decisions function. SQLite
-- has no such function; this migration keeps the two stores' sets of
-- migration names equal, so that a schema version means the same on both.
SELECT 1;
