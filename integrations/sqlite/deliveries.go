package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// deliveredAt is the delivered_at column for c: "" (NULL) unless it is
// delivered.
func deliveredAt(c gate.Callback) string {
	if c.State != gate.CallbackDelivered {
		return ""
	}
	if c.DeliveredAt.IsZero() {
		return formatTime(time.Now())
	}
	return formatTime(c.DeliveredAt)
}

// callbackColumns are the columns scanCallback reads, from callbacks c
// joined with decisions d.
const callbackColumns = `c.id, c.decision_id, d.application_id, c.client_id, c.url, c.kind, c.state,
	c.attempts, c.next_attempt, c.last_error, c.created_at, c.delivered_at`

func scanCallback(row interface{ Scan(...any) error }) (gate.Callback, error) {
	var c gate.Callback
	var state, next, created string
	var delivered sql.NullString
	if err := row.Scan(&c.ID, &c.DecisionID, &c.ApplicationID, &c.ClientID, &c.URL, &c.Kind, &state,
		&c.Attempts, &next, &c.LastError, &created, &delivered); err != nil {
		return c, err
	}
	c.State = gate.CallbackState(state)
	var err error
	if c.NextAttempt, err = parseTime(next); err != nil {
		return c, corrupt("callback "+c.ID, err)
	}
	if c.CreatedAt, err = parseTime(created); err != nil {
		return c, corrupt("callback "+c.ID, err)
	}
	if c.DeliveredAt, err = parseTime(delivered.String); err != nil {
		return c, corrupt("callback "+c.ID, err)
	}
	return c, nil
}

// ListCallbacks returns the deliveries matching f, newest first, at most
// f.Limit. Errors are *gate.Error: KindUnavailable when the database could
// not be reached.
func (s *Store) ListCallbacks(ctx context.Context, f gate.CallbackFilter) ([]gate.Callback, error) {
	const what = "list callbacks"
	q := `SELECT ` + callbackColumns + ` FROM callbacks c JOIN decisions d ON d.id = c.decision_id WHERE 1 = 1`
	var args []any
	if f.State != "" {
		q += ` AND c.state = ?`
		args = append(args, string(f.State))
	}
	if f.After != "" {
		q += ` AND c.id < ?`
		args = append(args, f.After)
	}
	q += ` ORDER BY c.id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.readers.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(what, err)
	}
	defer rows.Close()
	out := []gate.Callback{}
	for rows.Next() {
		c, err := scanCallback(rows)
		if gate.KindOf(err) == gate.KindInternal && errors.As(err, new(*gate.Error)) {
			return nil, err // corrupt
		}
		if err != nil {
			return nil, translate(what, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(what, err)
	}
	return out, nil
}

// RetryCallback makes the failed delivery id pending again, due at now and
// unleased, and returns it. Errors are *gate.Error: KindNotFound when there
// is no such delivery, KindConflict "not_failed" when it is not failed,
// KindUnavailable when the database could not be reached.
func (s *Store) RetryCallback(ctx context.Context, id string, now time.Time) (gate.Callback, error) {
	what := "retry callback " + id
	res, err := s.writer.ExecContext(ctx, `UPDATE callbacks SET state = 'pending', next_attempt = ?, lease_until = NULL
		WHERE id = ? AND state = 'failed'`, formatTime(now), id)
	if err != nil {
		return gate.Callback{}, translate(what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return gate.Callback{}, translate(what, err)
	}
	c, err := scanCallback(s.writer.QueryRowContext(ctx, `SELECT `+callbackColumns+`
		FROM callbacks c JOIN decisions d ON d.id = c.decision_id WHERE c.id = ?`, id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return gate.Callback{}, gate.Errorf(gate.KindNotFound, gate.CodeCallbackNotFound, "could not %s: no such callback", what)
	case err != nil:
		return gate.Callback{}, translate(what, err)
	case n == 0:
		return gate.Callback{}, gate.Errorf(gate.KindConflict, gate.CodeNotFailed, "callback %s is %s, not failed", id, c.State)
	}
	return c, nil
}
