-- The people's queries list decisions newest first by id (ids are ULIDs, so
-- id order is decision-time order) and page with a keyset on id. Each index
-- below ends in id, so that a filtered page is a walk down one index that
-- stops after Limit rows, with no sort. They replace the decided_at indexes
-- of 0001, which no query orders by. (Same names and columns as the SQLite
-- store's 0003.)
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

-- For the lookups of superseded_by's foreign key (deleting a decision finds
-- the decisions that name it here).
CREATE INDEX decisions_superseded_by ON decisions (superseded_by) WHERE superseded_by IS NOT NULL;

-- The review's state, derived from the review document so that the two can
-- never disagree, for the review queue's index.
ALTER TABLE decisions ADD COLUMN review_state text
    GENERATED ALWAYS AS (review ->> 'state') STORED;

CREATE INDEX decisions_review_state ON decisions (review_state, id) WHERE review_state IS NOT NULL;
