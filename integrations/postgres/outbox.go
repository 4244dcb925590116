package postgres

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jkngate/jkngate/gate"
)

// insertCallbacks adds callbacks to the outbox in tx. A callback without an
// ID gets gate.NewCallbackID; without a State it is pending; without a
// CreatedAt it is created now. A zero NextAttempt is due at once.
func insertCallbacks(ctx context.Context, tx pgx.Tx, callbacks []gate.Callback) error {
	now := time.Now()
	for _, c := range callbacks {
		if c.ID == "" {
			c.ID = gate.NewCallbackID(now)
		}
		if c.State == "" {
			c.State = gate.CallbackPending
		}
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now
		}
		if c.Kind == "" {
			c.Kind = gate.CallbackKindDecisionUpdated
		}
		_, err := tx.Exec(ctx, `INSERT INTO callbacks (id, decision_id, client_id, url, state, attempts,
			next_attempt, last_error, created_at, kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			c.ID, c.DecisionID, c.ClientID, c.URL, string(c.State), c.Attempts,
			c.NextAttempt.UTC(), c.LastError, c.CreatedAt.UTC(), c.Kind)
		if err != nil {
			return err
		}
	}
	return nil
}

// ClaimCallbacks leases up to limit pending callbacks whose NextAttempt is
// at or before now and whose lease (if any) has ended by now, until
// now+lease, and returns them, the longest due first.
//
// The select and the lease are one statement, UPDATE ... WHERE id IN
// (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n): a concurrent claimer on any
// replica skips the rows this one is leasing instead of waiting for them,
// and a row leased meanwhile fails the subquery's re-check, so two claimers
// never get the same callback while its lease runs. Errors are *gate.Error:
// KindInvalid for a non-positive lease or limit, KindUnavailable when the
// database could not be reached.
func (s *Store) ClaimCallbacks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]gate.Callback, error) {
	if lease <= 0 || limit <= 0 {
		return nil, gate.Errorf(gate.KindInvalid, gate.CodeInvalidClaim, "a claim needs a positive lease and limit")
	}
	var claimed []gate.Callback
	err := s.retry(ctx, "claim callbacks", func() error {
		rows, err := s.pool.Query(ctx, `UPDATE callbacks SET lease_until = $1
			WHERE id IN (SELECT o.id FROM callbacks o
				WHERE o.state = 'pending' AND o.next_attempt <= $2 AND (o.lease_until IS NULL OR o.lease_until <= $2)
				AND `+inOrderOSS+`
				ORDER BY o.next_attempt, o.id LIMIT $3 FOR UPDATE OF o SKIP LOCKED)
			RETURNING id, decision_id, client_id, url, state, attempts, next_attempt, last_error, created_at, kind`,
			now.Add(lease).UTC(), now.UTC(), limit)
		if err != nil {
			return err
		}
		claimed, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (gate.Callback, error) {
			var c gate.Callback
			var state string
			err := row.Scan(&c.ID, &c.DecisionID, &c.ClientID, &c.URL, &state, &c.Attempts,
				&c.NextAttempt, &c.LastError, &c.CreatedAt, &c.Kind)
			c.State = gate.CallbackState(state)
			c.NextAttempt, c.CreatedAt = c.NextAttempt.UTC(), c.CreatedAt.UTC()
			return c, err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	// RETURNING gives no order.
	slices.SortFunc(claimed, func(a, b gate.Callback) int {
		if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return claimed, nil
}

// inOrderOSS holds back an OSS status message (kind oss.*, callbacks o)
// while an earlier one for the same application is still pending (leased
// or waiting for a retry): OSS must get a permit's statuses in order, also
// when several replicas deliver and across restarts, since the condition
// is read from the outbox itself. Callback ids sort by creation (COLLATE
// "C": byte order, as the ids are made).
const inOrderOSS = `NOT (o.kind LIKE 'oss.%' AND EXISTS (SELECT 1 FROM callbacks e
		JOIN decisions ed ON ed.id = e.decision_id
		JOIN decisions od ON od.id = o.decision_id
		WHERE e.state = 'pending' AND e.kind LIKE 'oss.%' AND e.id COLLATE "C" < o.id COLLATE "C"
			AND ed.client_id = od.client_id AND ed.application_id = od.application_id))`

// FinishCallback stores the outcome of an attempt at c (its State,
// Attempts, NextAttempt and LastError) and ends its lease. A callback left
// pending is claimable again from its NextAttempt; a delivered or failed one
// never. A delivered one records c.DeliveredAt, or the current time when it
// is zero. Errors are *gate.Error: KindNotFound when there is no callback
// c.ID, KindConflict for an unknown state, KindUnavailable when the database
// could not be reached.
func (s *Store) FinishCallback(ctx context.Context, c gate.Callback) error {
	var tag pgconn.CommandTag
	err := s.retry(ctx, "finish callback "+c.ID, func() (err error) {
		tag, err = s.pool.Exec(ctx, `UPDATE callbacks
			SET state = $1, attempts = $2, next_attempt = $3, last_error = $4, lease_until = NULL,
				delivered_at = $6 WHERE id = $5`,
			string(c.State), c.Attempts, c.NextAttempt.UTC(), c.LastError, c.ID, deliveredAt(c))
		return err
	})
	return checkUpdated("finish callback "+c.ID, gate.CodeCallbackNotFound, tag, err)
}

// ClaimRechecks leases up to limit rechecks whose NextAttempt is at or
// before now and whose lease (if any) has ended by now, until now+lease, the
// longest due first, in one UPDATE ... FOR UPDATE SKIP LOCKED statement as
// ClaimCallbacks does. Errors are as ClaimCallbacks'.
func (s *Store) ClaimRechecks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]gate.Recheck, error) {
	if lease <= 0 || limit <= 0 {
		return nil, gate.Errorf(gate.KindInvalid, gate.CodeInvalidClaim, "a claim needs a positive lease and limit")
	}
	var claimed []gate.Recheck
	err := s.retry(ctx, "claim rechecks", func() error {
		rows, err := s.pool.Query(ctx, `UPDATE rechecks SET lease_until = $1
			WHERE decision_id IN (SELECT decision_id FROM rechecks
				WHERE next_attempt <= $2 AND (lease_until IS NULL OR lease_until <= $2)
				ORDER BY next_attempt, decision_id LIMIT $3 FOR UPDATE SKIP LOCKED)
			RETURNING decision_id, attempts, next_attempt, until`,
			now.Add(lease).UTC(), now.UTC(), limit)
		if err != nil {
			return err
		}
		claimed, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (gate.Recheck, error) {
			var r gate.Recheck
			var until *time.Time
			err := row.Scan(&r.DecisionID, &r.Attempts, &r.NextAttempt, &until)
			r.NextAttempt, r.Until = r.NextAttempt.UTC(), utc(until)
			return r, err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(claimed, func(a, b gate.Recheck) int {
		if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
			return c
		}
		return strings.Compare(a.DecisionID, b.DecisionID)
	})
	return claimed, nil
}

// FinishRecheck stores the outcome of a recheck of decisionID: with a zero
// next the recheck is done and its row deleted; otherwise it records
// attempts, waits until next and ends the lease. Errors are *gate.Error:
// KindNotFound when no recheck of decisionID is queued, KindUnavailable when
// the database could not be reached.
func (s *Store) FinishRecheck(ctx context.Context, decisionID string, attempts int, next time.Time) error {
	what := "finish the recheck of " + decisionID
	var tag pgconn.CommandTag
	err := s.retry(ctx, what, func() (err error) {
		if next.IsZero() {
			tag, err = s.pool.Exec(ctx, `DELETE FROM rechecks WHERE decision_id = $1`, decisionID)
			return err
		}
		tag, err = s.pool.Exec(ctx, `UPDATE rechecks SET attempts = $1, next_attempt = $2, lease_until = NULL
			WHERE decision_id = $3`, attempts, next.UTC(), decisionID)
		return err
	})
	return checkUpdated(what, gate.CodeRecheckNotFound, tag, err)
}

// PendingCallbacks counts the callbacks still to be delivered (state
// pending, whether leased or waiting for a retry): the outbox's depth, as
// the SQLite store's PendingCallbacks does. Errors are *gate.Error:
// KindUnavailable when the database could not be reached.
func (s *Store) PendingCallbacks(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM callbacks WHERE state = 'pending'`).Scan(&n)
	if err != nil {
		return 0, translate("count pending callbacks", err)
	}
	return n, nil
}
