-- The PostgreSQL store's 0014 creates a faster form of its record_decisions
-- function (the batch as arrays rather than JSON). SQLite needs no
-- counterpart; this migration keeps the two stores' sets of migration names
-- equal, so that a schema version means the same on both.
SELECT 1;
