package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// insertCallbacks adds callbacks to the outbox in tx. A callback without an
// ID gets gate.NewCallbackID; without a State it is pending; without a
// CreatedAt it is created now. A zero NextAttempt is due at once.
func insertCallbacks(ctx context.Context, tx *sql.Tx, what string, callbacks []gate.Callback) error {
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
		_, err := tx.ExecContext(ctx, `INSERT INTO callbacks (id, decision_id, client_id, url, state, attempts,
			next_attempt, last_error, created_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.DecisionID, c.ClientID, c.URL, string(c.State), c.Attempts,
			formatTime(c.NextAttempt), c.LastError, formatTime(c.CreatedAt), c.Kind)
		if err != nil {
			return translate(what, err)
		}
	}
	return nil
}

// ClaimCallbacks leases up to limit pending callbacks whose NextAttempt is
// at or before now and whose lease (if any) has ended by now, until
// now+lease, and returns them, the longest due first.
//
// The select and the lease are one UPDATE in one BEGIN IMMEDIATE
// transaction, so two concurrent claimers (also in two processes) never get
// the same callback while its lease runs. Errors are *gate.Error:
// KindInvalid for a non-positive lease or limit, KindUnavailable when the
// database could not be reached.
func (s *Store) ClaimCallbacks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]gate.Callback, error) {
	const what = "claim callbacks"
	if lease <= 0 || limit <= 0 {
		return nil, gate.Errorf(gate.KindInvalid, gate.CodeInvalidClaim, "a claim needs a positive lease and limit")
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, translate(what, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	at := formatTime(now)
	rows, err := tx.QueryContext(ctx, `UPDATE callbacks SET lease_until = ?
		WHERE id IN (SELECT o.id FROM callbacks o
			WHERE o.state = 'pending' AND o.next_attempt <= ? AND (o.lease_until IS NULL OR o.lease_until <= ?)
			AND `+inOrderOSS+`
			ORDER BY o.next_attempt, o.id LIMIT ?)
		RETURNING id, decision_id, client_id, url, state, attempts, next_attempt, last_error, created_at, kind`,
		formatTime(now.Add(lease)), at, at, limit)
	if err != nil {
		return nil, translate(what, err)
	}
	defer rows.Close()
	claimed := []gate.Callback{}
	for rows.Next() {
		var c gate.Callback
		var state, next, created string
		if err := rows.Scan(&c.ID, &c.DecisionID, &c.ClientID, &c.URL, &state, &c.Attempts,
			&next, &c.LastError, &created, &c.Kind); err != nil {
			return nil, translate(what, err)
		}
		c.State = gate.CallbackState(state)
		if c.NextAttempt, err = parseTime(next); err != nil {
			return nil, corrupt("callback "+c.ID, err)
		}
		if c.CreatedAt, err = parseTime(created); err != nil {
			return nil, corrupt("callback "+c.ID, err)
		}
		claimed = append(claimed, c)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(what, err)
	}
	if err := rows.Close(); err != nil {
		return nil, translate(what, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, translate(what, err)
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
// is read from the outbox itself. Callback ids sort by creation.
const inOrderOSS = `NOT (o.kind LIKE 'oss.%' AND EXISTS (SELECT 1 FROM callbacks e
		JOIN decisions ed ON ed.id = e.decision_id
		JOIN decisions od ON od.id = o.decision_id
		WHERE e.state = 'pending' AND e.kind LIKE 'oss.%' AND e.id < o.id
			AND ed.client_id = od.client_id AND ed.application_id = od.application_id))`

// FinishCallback stores the outcome of an attempt at c (its State,
// Attempts, NextAttempt and LastError) and ends its lease. A callback left
// pending is claimable again from its NextAttempt; a delivered or failed one
// never. A delivered one records c.DeliveredAt, or the current time when it
// is zero. Errors are *gate.Error: KindNotFound when there is no callback
// c.ID, KindConflict for an unknown state, KindUnavailable when the database
// could not be reached.
func (s *Store) FinishCallback(ctx context.Context, c gate.Callback) error {
	res, err := s.writer.ExecContext(ctx, `UPDATE callbacks
		SET state = ?, attempts = ?, next_attempt = ?, last_error = ?, lease_until = NULL,
			delivered_at = NULLIF(?, '') WHERE id = ?`,
		string(c.State), c.Attempts, formatTime(c.NextAttempt), c.LastError, deliveredAt(c), c.ID)
	return checkUpdated("finish callback "+c.ID, gate.CodeCallbackNotFound, res, err)
}

// PendingCallbacks counts the callbacks still to be delivered (state
// pending, whether leased or waiting for a retry): the outbox's depth.
// Errors are *gate.Error: KindUnavailable when the database could not be
// reached.
func (s *Store) PendingCallbacks(ctx context.Context) (int, error) {
	var n int
	err := s.readers.QueryRowContext(ctx, `SELECT count(*) FROM callbacks WHERE state = 'pending'`).Scan(&n)
	if err != nil {
		return 0, translate("count pending callbacks", err)
	}
	return n, nil
}

// ClaimRechecks leases up to limit rechecks whose NextAttempt is at or
// before now and whose lease (if any) has ended by now, until now+lease, the
// longest due first, as ClaimCallbacks does. Errors are as ClaimCallbacks'.
func (s *Store) ClaimRechecks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]gate.Recheck, error) {
	const what = "claim rechecks"
	if lease <= 0 || limit <= 0 {
		return nil, gate.Errorf(gate.KindInvalid, gate.CodeInvalidClaim, "a claim needs a positive lease and limit")
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, translate(what, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	at := formatTime(now)
	rows, err := tx.QueryContext(ctx, `UPDATE rechecks SET lease_until = ?
		WHERE decision_id IN (SELECT decision_id FROM rechecks
			WHERE next_attempt <= ? AND (lease_until IS NULL OR lease_until <= ?)
			ORDER BY next_attempt, decision_id LIMIT ?)
		RETURNING decision_id, attempts, next_attempt, until`,
		formatTime(now.Add(lease)), at, at, limit)
	if err != nil {
		return nil, translate(what, err)
	}
	defer rows.Close()
	claimed := []gate.Recheck{}
	for rows.Next() {
		var r gate.Recheck
		var next string
		var until sql.NullString
		if err := rows.Scan(&r.DecisionID, &r.Attempts, &next, &until); err != nil {
			return nil, translate(what, err)
		}
		if r.NextAttempt, err = parseTime(next); err != nil {
			return nil, corrupt("recheck "+r.DecisionID, err)
		}
		if r.Until, err = parseTime(until.String); err != nil {
			return nil, corrupt("recheck "+r.DecisionID, err)
		}
		claimed = append(claimed, r)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(what, err)
	}
	if err := rows.Close(); err != nil {
		return nil, translate(what, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, translate(what, err)
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
	if next.IsZero() {
		res, err := s.writer.ExecContext(ctx, `DELETE FROM rechecks WHERE decision_id = ?`, decisionID)
		return checkUpdated(what, gate.CodeRecheckNotFound, res, err)
	}
	res, err := s.writer.ExecContext(ctx, `UPDATE rechecks SET attempts = ?, next_attempt = ?, lease_until = NULL
		WHERE decision_id = ?`, attempts, formatTime(next), decisionID)
	return checkUpdated(what, gate.CodeRecheckNotFound, res, err)
}

// checkUpdated translates the outcome of an UPDATE or DELETE of one row:
// KindNotFound with code notFound when it touched none.
func checkUpdated(what, notFound string, res sql.Result, err error) error {
	if err != nil {
		return translate(what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return translate(what, err)
	}
	if n == 0 {
		return gate.Errorf(gate.KindNotFound, notFound, "could not %s: no such row", what)
	}
	return nil
}

func corrupt(what string, err error) error {
	return gate.Errorf(gate.KindInternal, gate.CodeCorruptRow, "could not decode %s: %w", what, err)
}
