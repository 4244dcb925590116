package sqlite

import (
	"context"
	"database/sql"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/decisiondoc"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// CloseReview closes the open review of decision id with r (its State is
// stored as closed), appends the action to the review history, records next
// (when not nil) as the decision that supersedes id, and enqueues
// callbacks, all in one transaction.
//
// The one-winner rule rests on the transaction: BEGIN IMMEDIATE takes the
// database's write lock before the review is read, so of two concurrent
// calls (also from two processes) the second reads the review the first
// closed. next gets no webhook receipt (it answers no delivery), whatever
// its WebhookID; a non-zero next.RecheckAt enqueues its recheck.
//
// Errors are *gate.Error: KindNotFound when there is no decision id;
// KindConflict with code "already_reviewed" when its review is not open or
// it has been superseded; KindInvalid when next has no id or is for another
// application or another client;
// KindConflict (store_conflict) when next's id or a callback's id is taken;
// KindUnavailable when the database could not be reached or the commit
// failed (nothing is recorded then).
func (s *Store) CloseReview(ctx context.Context, id string, r gate.Review, next *gate.Decision, callbacks []gate.Callback) error {
	const what = "close the review"
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		var clientID, applicationID string
		var state, supersededBy sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT client_id, application_id, review_state, superseded_by FROM decisions WHERE id = ?`, id).
			Scan(&clientID, &applicationID, &state, &supersededBy)
		if err != nil {
			return translate("read decision "+id, err)
		}
		if state.String != string(gate.ReviewOpen) || supersededBy.Valid {
			return storesql.AlreadyReviewed(id)
		}
		if next != nil {
			if err := storesql.CheckFollows(*next, clientID, applicationID, "the reviewed one"); err != nil {
				return err
			}
		}

		r.State = gate.ReviewClosed
		review, err := decisiondoc.EncodeReview(r)
		if err != nil {
			return gate.Errorf(gate.KindInternal, gate.CodeUnencodableReview, "could not encode the review: %w", err)
		}
		// The state condition repeats the check above, so that the statement
		// alone cannot close a review twice.
		if _, err := tx.ExecContext(ctx, storesql.CloseReview, string(review), id); err != nil {
			return translate(what, err)
		}
		var nextID sql.NullString
		if next != nil {
			nextID = nullString(next.ID)
		}
		if _, err := tx.ExecContext(ctx, storesql.InsertReviewAction, id, r.Action, r.Note, r.By, formatOptionalTime(r.At), nextID); err != nil {
			return translate(what, err)
		}
		if next != nil {
			if err := supersede(ctx, tx, what, id, *next); err != nil {
				return err
			}
		}
		return insertCallbacks(ctx, tx, what, callbacks)
	})
}

// RecordSuperseding records d as the decision that supersedes prevID (it
// sets d.Supersedes), and enqueues callbacks and, when d.RecheckAt is set,
// d's recheck, in one BEGIN IMMEDIATE transaction, only if prevID is still
// its application's current decision. d gets no webhook receipt.
//
// Errors are *gate.Error: KindInvalid when d has no id or is for another
// application or another client; KindNotFound when prevID does not exist; KindConflict with
// code "superseded" when prevID is no longer current; KindConflict
// (store_conflict) when d's id or a callback's id is taken; KindUnavailable
// when the database could not be reached or the commit failed.
func (s *Store) RecordSuperseding(ctx context.Context, prevID string, d gate.Decision, callbacks []gate.Callback) error {
	const what = "record the superseding decision"
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		var clientID, applicationID string
		var supersededBy sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT client_id, application_id, superseded_by FROM decisions WHERE id = ?`, prevID).
			Scan(&clientID, &applicationID, &supersededBy)
		if err != nil {
			return translate("read decision "+prevID, err)
		}
		if supersededBy.Valid {
			return storesql.Superseded(prevID, supersededBy.String)
		}
		if err := storesql.CheckFollows(d, clientID, applicationID, prevID); err != nil {
			return err
		}
		if err := supersede(ctx, tx, what, prevID, d); err != nil {
			return err
		}
		return insertCallbacks(ctx, tx, what, callbacks)
	})
}

// supersede marks prevID, the current decision of d's application, as
// superseded by d and inserts d. The mark comes first: the decisions_head
// index allows one unsuperseded decision per application of a client at a time, and
// superseded_by's foreign key is deferred to the commit for this.
func supersede(ctx context.Context, tx *sql.Tx, what, prevID string, d gate.Decision) error {
	if err := storesql.CheckSupersedingID(d); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, storesql.Supersede, d.ID, prevID); err != nil {
		return translate(what, err)
	}
	d.Supersedes = prevID
	_, err := insertDecision(ctx, tx, what, d)
	return err
}
