package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// insertCallbacks adds callbacks to the outbox in tx, completed by
// storesql.CallbackDefaults. A zero NextAttempt is due at once.
func insertCallbacks(ctx context.Context, tx *sql.Tx, what string, callbacks []gate.Callback) error {
	now := time.Now()
	for _, c := range callbacks {
		c = storesql.CallbackDefaults(c, now)
		_, err := tx.ExecContext(ctx, storesql.InsertCallback,
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
	return claim(ctx, s, what, claimCallbacksSQL, now, lease, limit, func(rows storesql.Rows) (gate.Callback, error) {
		var c gate.Callback
		var state, next, created string
		if err := rows.Scan(&c.ID, &c.DecisionID, &c.ClientID, &c.URL, &state, &c.Attempts,
			&next, &c.LastError, &created, &c.Kind); err != nil {
			return c, translate(what, err)
		}
		c.State = gate.CallbackState(state)
		var err error
		if c.NextAttempt, err = parseTime(next); err != nil {
			return c, corrupt("callback "+c.ID, err)
		}
		if c.CreatedAt, err = parseTime(created); err != nil {
			return c, corrupt("callback "+c.ID, err)
		}
		return c, nil
	}, storesql.SortCallbacks)
}

// claim runs a claim statement of storesql (its arguments the lease's end,
// now, now and limit) in a write transaction of its own and returns the
// rows it leased as read makes them, in claim order (sorted by sort, since
// RETURNING gives none). Errors are as ClaimCallbacks'.
func claim[T any](ctx context.Context, s *Store, what, q string, now time.Time, lease time.Duration, limit int,
	read func(storesql.Rows) (T, error), sort func([]T)) ([]T, error) {
	if err := storesql.CheckClaim(lease, limit); err != nil {
		return nil, err
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, translate(what, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	at := formatTime(now)
	rows, err := tx.QueryContext(ctx, q, formatTime(now.Add(lease)), at, at, limit)
	if err != nil {
		return nil, translate(what, err)
	}
	defer rows.Close()
	claimed, err := storesql.Collect(rows, read, failed(what))
	if err != nil {
		return nil, err
	}
	if err := rows.Close(); err != nil {
		return nil, translate(what, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, translate(what, err)
	}
	sort(claimed)
	return claimed, nil
}

// The claims' statements (see storesql.ClaimCallbacks).
var (
	claimCallbacksSQL = storesql.ClaimCallbacks(dialect)
	claimRechecksSQL  = storesql.ClaimRechecks(dialect)
)

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
	err := s.readers.QueryRowContext(ctx, storesql.PendingCallbacks).Scan(&n)
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
	return claim(ctx, s, what, claimRechecksSQL, now, lease, limit, func(rows storesql.Rows) (gate.Recheck, error) {
		var r gate.Recheck
		var next string
		var until sql.NullString
		if err := rows.Scan(&r.DecisionID, &r.Attempts, &next, &until); err != nil {
			return r, translate(what, err)
		}
		var err error
		if r.NextAttempt, err = parseTime(next); err != nil {
			return r, corrupt("recheck "+r.DecisionID, err)
		}
		if r.Until, err = parseTime(until.String); err != nil {
			return r, corrupt("recheck "+r.DecisionID, err)
		}
		return r, nil
	}, storesql.SortRechecks)
}

// FinishRecheck stores the outcome of a recheck of decisionID: with a zero
// next the recheck is done and its row deleted; otherwise it records
// attempts, waits until next and ends the lease. Errors are *gate.Error:
// KindNotFound when no recheck of decisionID is queued, KindUnavailable when
// the database could not be reached.
func (s *Store) FinishRecheck(ctx context.Context, decisionID string, attempts int, next time.Time) error {
	what := "finish the recheck of " + decisionID
	if next.IsZero() {
		res, err := s.writer.ExecContext(ctx, storesql.DeleteRecheck, decisionID)
		return checkUpdated(what, gate.CodeRecheckNotFound, res, err)
	}
	res, err := s.writer.ExecContext(ctx, storesql.PostponeRecheck, attempts, formatTime(next), decisionID)
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
		return storesql.NoSuchRow(what, notFound)
	}
	return nil
}

func corrupt(what string, err error) error {
	return storesql.CorruptRow(what, err)
}
