-- The people's queries list decisions newest first by id (ids are ULIDs, so
-- id order is decision-time order) and page with a keyset on id. Each index
-- below ends in id, so that a filtered page is a walk down one index that
-- stops after Limit rows, with no sort. They replace the decided_at indexes
-- of 0001, which no query orders by.
DROP INDEX decisions_application;
DROP INDEX decisions_nib;
DROP INDEX decisions_region_outcome;

CREATE INDEX decisions_application_id ON decisions (application_id, id);
CREATE INDEX decisions_nib_id ON decisions (nib, id);
CREATE INDEX decisions_region_outcome_id ON decisions (region_code, outcome, id);
CREATE INDEX decisions_region_id ON decisions (region_code, id);
CREATE INDEX decisions_outcome_id ON decisions (outcome, id);
-- For Since/Until bounds (reports) without other filters.
CREATE INDEX decisions_decided_at ON decisions (decided_at);

-- superseded_by's foreign key is deferred, so while a transaction has an
-- outstanding deferred violation (RecordDecision's receipt, then its mark on
-- the old head), SQLite looks up the children of every decision it inserts,
-- by superseded_by. Without this index that lookup scanned the whole table
-- on each RecordDecision.
CREATE INDEX decisions_superseded_by ON decisions (superseded_by) WHERE superseded_by IS NOT NULL;

-- The review's state, derived from the review JSON so that the two can never
-- disagree, for the review queue's index.
ALTER TABLE decisions ADD COLUMN review_state TEXT
    GENERATED ALWAYS AS (json_extract(review, '$.state')) VIRTUAL;

CREATE INDEX decisions_review_state ON decisions (review_state, id) WHERE review_state IS NOT NULL;
