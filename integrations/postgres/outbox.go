package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// insertCallbacks adds callbacks to the outbox in tx, completed by
// storesql.CallbackDefaults. A zero NextAttempt is due at once.
func insertCallbacks(ctx context.Context, tx pgx.Tx, callbacks []gate.Callback) error {
	now := time.Now()
	for _, c := range callbacks {
		c = storesql.CallbackDefaults(c, now)
		_, err := tx.Exec(ctx, insertCallbackSQL,
			c.ID, c.DecisionID, c.ClientID, c.URL, string(c.State), c.Attempts,
			c.NextAttempt.UTC(), c.LastError, c.CreatedAt.UTC(), c.Kind)
		if err != nil {
			return err
		}
	}
	return nil
}

var insertCallbackSQL = dialect.Rebind(storesql.InsertCallback)

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
	return claim(ctx, s, "claim callbacks", claimCallbacksSQL, now, lease, limit,
		func(row pgx.CollectableRow) (gate.Callback, error) {
			var c gate.Callback
			var state string
			err := row.Scan(&c.ID, &c.DecisionID, &c.ClientID, &c.URL, &state, &c.Attempts,
				&c.NextAttempt, &c.LastError, &c.CreatedAt, &c.Kind)
			c.State = gate.CallbackState(state)
			c.NextAttempt, c.CreatedAt = c.NextAttempt.UTC(), c.CreatedAt.UTC()
			return c, err
		}, storesql.SortCallbacks)
}

// The claims' statements (see storesql.ClaimCallbacks).
var (
	claimCallbacksSQL = storesql.ClaimCallbacks(dialect)
	claimRechecksSQL  = storesql.ClaimRechecks(dialect)
)

// claim runs a claim statement of storesql (its arguments the lease's end,
// now, now and limit), through retry, and returns the rows it leased as
// read makes them, in claim order (sorted by sort, since RETURNING gives
// none). Errors are as ClaimCallbacks'.
func claim[T any](ctx context.Context, s *Store, what, q string, now time.Time, lease time.Duration, limit int,
	read pgx.RowToFunc[T], sort func([]T)) ([]T, error) {
	if err := storesql.CheckClaim(lease, limit); err != nil {
		return nil, err
	}
	var claimed []T
	err := s.retry(ctx, what, func() error {
		rows, err := s.pool.Query(ctx, q, now.Add(lease).UTC(), now.UTC(), now.UTC(), limit)
		if err != nil {
			return err
		}
		claimed, err = pgx.CollectRows(rows, read)
		return err
	})
	if err != nil {
		return nil, err
	}
	sort(claimed)
	return claimed, nil
}

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
	return claim(ctx, s, "claim rechecks", claimRechecksSQL, now, lease, limit,
		func(row pgx.CollectableRow) (gate.Recheck, error) {
			var r gate.Recheck
			var until *time.Time
			err := row.Scan(&r.DecisionID, &r.Attempts, &r.NextAttempt, &until)
			r.NextAttempt, r.Until = r.NextAttempt.UTC(), utc(until)
			return r, err
		}, storesql.SortRechecks)
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
			tag, err = s.pool.Exec(ctx, deleteRecheckSQL, decisionID)
			return err
		}
		tag, err = s.pool.Exec(ctx, postponeRecheckSQL, attempts, next.UTC(), decisionID)
		return err
	})
	return checkUpdated(what, gate.CodeRecheckNotFound, tag, err)
}

var (
	deleteRecheckSQL   = dialect.Rebind(storesql.DeleteRecheck)
	postponeRecheckSQL = dialect.Rebind(storesql.PostponeRecheck)
)

// PendingCallbacks counts the callbacks still to be delivered (state
// pending, whether leased or waiting for a retry): the outbox's depth, as
// the SQLite store's PendingCallbacks does. Errors are *gate.Error:
// KindUnavailable when the database could not be reached.
func (s *Store) PendingCallbacks(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, storesql.PendingCallbacks).Scan(&n)
	if err != nil {
		return 0, translate("count pending callbacks", err)
	}
	return n, nil
}
