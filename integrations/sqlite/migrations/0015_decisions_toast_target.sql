-- The PostgreSQL store's 0015 stops compressing decision rows that fit in a
-- page. SQLite does not compress rows; this migration keeps the two stores'
-- sets of migration names equal, so that a schema version means the same on
-- both.
SELECT 1;
