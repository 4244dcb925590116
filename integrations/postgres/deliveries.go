package postgres

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jkngate/jkngate/gate"
)

// deliveredAt is the delivered_at column for c: NULL unless it is
// delivered.
func deliveredAt(c gate.Callback) *time.Time {
	if c.State != gate.CallbackDelivered {
		return nil
	}
	t := c.DeliveredAt
	if t.IsZero() {
		t = time.Now()
	}
	t = t.UTC()
	return &t
}

// callbackColumns are the columns scanCallback reads, from callbacks c
// joined with decisions d.
const callbackColumns = `c.id, c.decision_id, d.application_id, c.client_id, c.url, c.kind, c.state,
	c.attempts, c.next_attempt, c.last_error, c.created_at, c.delivered_at`

func scanCallback(row pgx.Row) (gate.Callback, error) {
	var c gate.Callback
	var state string
	var delivered *time.Time
	err := row.Scan(&c.ID, &c.DecisionID, &c.ApplicationID, &c.ClientID, &c.URL, &c.Kind, &state,
		&c.Attempts, &c.NextAttempt, &c.LastError, &c.CreatedAt, &delivered)
	c.State = gate.CallbackState(state)
	c.NextAttempt, c.CreatedAt, c.DeliveredAt = c.NextAttempt.UTC(), c.CreatedAt.UTC(), utc(delivered)
	return c, err
}

// ListCallbacks returns the deliveries matching f, newest first, at most
// f.Limit. Errors are *gate.Error: KindUnavailable when the database could
// not be reached.
func (s *Store) ListCallbacks(ctx context.Context, f gate.CallbackFilter) ([]gate.Callback, error) {
	q := `SELECT ` + callbackColumns + ` FROM callbacks c JOIN decisions d ON d.id = c.decision_id WHERE true`
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.State != "" {
		q += ` AND c.state = ` + arg(string(f.State))
	}
	if f.After != "" {
		q += ` AND c.id < ` + arg(f.After)
	}
	q += ` ORDER BY c.id DESC LIMIT ` + arg(f.Limit)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, translate("list callbacks", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (gate.Callback, error) { return scanCallback(row) })
	if err != nil {
		return nil, translate("list callbacks", err)
	}
	if out == nil {
		out = []gate.Callback{}
	}
	return out, nil
}

// RetryCallback makes the failed delivery id pending again, due at now and
// unleased, and returns it. Errors are *gate.Error: KindNotFound when there
// is no such delivery, KindConflict "not_failed" when it is not failed,
// KindUnavailable when the database could not be reached.
func (s *Store) RetryCallback(ctx context.Context, id string, now time.Time) (gate.Callback, error) {
	what := "retry callback " + id
	var c gate.Callback
	var retried bool
	err := s.retry(ctx, what, func() error {
		tag, err := s.pool.Exec(ctx, `UPDATE callbacks SET state = 'pending', next_attempt = $1, lease_until = NULL
			WHERE id = $2 AND state = 'failed'`, now.UTC(), id)
		if err != nil {
			return err
		}
		retried = tag.RowsAffected() == 1
		c, err = scanCallback(s.pool.QueryRow(ctx, `SELECT `+callbackColumns+`
			FROM callbacks c JOIN decisions d ON d.id = c.decision_id WHERE c.id = $1`, id))
		return err
	})
	switch {
	case errors.Is(err, gate.ErrNotFound):
		return gate.Callback{}, gate.Errorf(gate.KindNotFound, gate.CodeCallbackNotFound, "could not %s: no such callback", what)
	case err != nil:
		return gate.Callback{}, err
	case !retried:
		return gate.Callback{}, gate.Errorf(gate.KindConflict, gate.CodeNotFailed, "callback %s is %s, not failed", id, c.State)
	}
	return c, nil
}
