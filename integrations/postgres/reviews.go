package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// The review statements (see storesql).
var (
	closeReviewSQL        = dialect.Rebind(storesql.CloseReview)
	insertReviewActionSQL = dialect.Rebind(storesql.InsertReviewAction)
	supersedeSQL          = dialect.Rebind(storesql.Supersede)
)

// CloseReview closes the open review of decision id with r (its State is
// stored as closed), appends the action to the review history, records next
// (when not nil) as the decision that supersedes id, and enqueues
// callbacks, all in one transaction.
//
// The one-winner rule rests on one statement: UPDATE ... WHERE id = $1 AND
// review_state = 'open' AND superseded_by IS NULL. Of two concurrent calls
// (on any replicas) the second waits for the first's row lock and then, under
// READ COMMITTED, re-checks its WHERE clause against the committed row: it
// affects no row and returns already_reviewed. The transaction holds the
// application's advisory lock (see lockApplication), as every head change
// does, since next becomes the head. next gets no webhook receipt (it
// answers no delivery), whatever its WebhookID; a non-zero next.RecheckAt
// enqueues its recheck.
//
// Errors are *gate.Error: KindNotFound when there is no decision id;
// KindConflict with code "already_reviewed" when its review is not open or
// it has been superseded; KindInvalid when next has no id or is for another
// application; KindConflict (store_conflict) when next's id or a callback's
// id is taken; KindUnavailable when the database could not be reached or the
// commit failed (nothing is recorded then).
func (s *Store) CloseReview(ctx context.Context, id string, r gate.Review, next *gate.Decision, callbacks []gate.Callback) error {
	r.State = gate.ReviewClosed
	review, err := encodeReview(r)
	if err != nil {
		return gate.Errorf(gate.KindInternal, gate.CodeUnencodableReview, "could not encode the review: %w", err)
	}
	return s.inTx(ctx, "close the review", func(tx pgx.Tx) error {
		clientID, applicationID, err := applicationOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := lockApplication(ctx, tx, clientID, applicationID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, closeReviewSQL, review, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return storesql.AlreadyReviewed(id)
		}
		if next != nil {
			if err := storesql.CheckFollows(*next, clientID, applicationID, "the reviewed one"); err != nil {
				return err
			}
		}
		var nextID *string
		if next != nil {
			nextID = optionalString(next.ID)
		}
		if _, err := tx.Exec(ctx, insertReviewActionSQL, id, r.Action, r.Note, r.By, optionalTime(r.At), nextID); err != nil {
			return err
		}
		if next != nil {
			if err := supersede(ctx, tx, id, *next); err != nil {
				return err
			}
		}
		return insertCallbacks(ctx, tx, callbacks)
	})
}

// RecordSuperseding records d as the decision that supersedes prevID (it
// sets d.Supersedes), and enqueues callbacks and, when d.RecheckAt is set,
// d's recheck, in one transaction, only if prevID is still its application's
// current decision. The check and the change hold the application's
// advisory lock (see lockApplication) and prevID's row lock. d gets no
// webhook receipt.
//
// Errors are *gate.Error: KindInvalid when d has no id or is for another
// application; KindNotFound when prevID does not exist; KindConflict with
// code "superseded" when prevID is no longer current; KindConflict
// (store_conflict) when d's id or a callback's id is taken; KindUnavailable
// when the database could not be reached or the commit failed.
func (s *Store) RecordSuperseding(ctx context.Context, prevID string, d gate.Decision, callbacks []gate.Callback) error {
	return s.inTx(ctx, "record the superseding decision", func(tx pgx.Tx) error {
		clientID, applicationID, err := applicationOf(ctx, tx, prevID)
		if err != nil {
			return err
		}
		if err := lockApplication(ctx, tx, clientID, applicationID); err != nil {
			return err
		}
		var supersededBy *string
		if err := tx.QueryRow(ctx, `SELECT superseded_by FROM decisions WHERE id = $1 FOR NO KEY UPDATE`, prevID).
			Scan(&supersededBy); err != nil {
			return err
		}
		if supersededBy != nil {
			return storesql.Superseded(prevID, *supersededBy)
		}
		if err := storesql.CheckFollows(d, clientID, applicationID, prevID); err != nil {
			return err
		}
		if err := supersede(ctx, tx, prevID, d); err != nil {
			return err
		}
		return insertCallbacks(ctx, tx, callbacks)
	})
}

// applicationOf returns the client and the application of decision id,
// which never change, so they need no lock. Errors: KindNotFound when there
// is no such decision, else pgx's.
func applicationOf(ctx context.Context, tx pgx.Tx, id string) (clientID, applicationID string, err error) {
	err = tx.QueryRow(ctx, `SELECT client_id, application_id FROM decisions WHERE id = $1`, id).
		Scan(&clientID, &applicationID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", translate("read decision "+id, err)
	}
	return clientID, applicationID, err
}

// supersede marks prevID, the current decision of d's application, as
// superseded by d and inserts d. The mark comes first: the decisions_head
// index allows one unsuperseded decision per application of a client at a time, and
// superseded_by's foreign key is deferred to the commit for this.
func supersede(ctx context.Context, tx pgx.Tx, prevID string, d gate.Decision) error {
	if err := storesql.CheckSupersedingID(d); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, supersedeSQL, d.ID, prevID); err != nil {
		return err
	}
	d.Supersedes = prevID
	_, err := insertDecision(ctx, tx, d)
	return err
}
