-- When an open review becomes overdue, derived from the review document (its
-- due_at, fixed-width UTC text, so text order is time order); '' for reviews
-- opened before deadlines existed. The review queue sorts by it.
ALTER TABLE decisions ADD COLUMN review_due_at text
    GENERATED ALWAYS AS (coalesce(review ->> 'due_at', '')) STORED;

CREATE INDEX decisions_review_due ON decisions (review_due_at, id)
    WHERE review_state = 'open' AND superseded_by IS NULL;
