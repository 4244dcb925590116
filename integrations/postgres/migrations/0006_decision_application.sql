-- The application as submitted (jsonb), kept so that a review's
-- re-evaluation and the background recheck can evaluate it again. It holds
-- the listed workers' NIKs: personal data, erased by the retention job.
ALTER TABLE decisions ADD COLUMN application jsonb;
