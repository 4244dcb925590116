package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/jkngate/jkngate/gate"

	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// dialect is SQLite's spelling of the SQL the stores share (package
// storesql): ? placeholders, times as timeLayout text, lists and page
// limits written into the statement.
var dialect = &storesql.Dialect{Time: func(t time.Time) any { return formatTime(t) }}

// scanDecision reads one row of storesql.DecisionColumns for
// storesql.Decisions: the driver's error when the scan fails,
// corrupt_decision when the row cannot be decoded.
func scanDecision(rows storesql.Rows) (gate.Decision, error) {
	var r decisionRow
	if err := r.scan(rows); err != nil {
		return gate.Decision{}, err
	}
	return decodeRow(r)
}

// failed returns the translation of errors of what for storesql.Each.
func failed(what string) func(error) error {
	return func(err error) error { return translate(what, err) }
}

// decisions reads the shared decision listings through the read pool.
func (s *Store) decisions() storesql.Decisions {
	return storesql.Decisions{Dialect: dialect, DB: readPool{s.readers}, Scan: scanDecision, Translate: translate}
}

// readPool is the read connections as a storesql.Querier.
type readPool struct{ db *sql.DB }

func (p readPool) Query(ctx context.Context, q string, args ...any) (storesql.Rows, func(), error) {
	rows, err := p.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	return rows, func() { rows.Close() }, nil
}

func (p readPool) QueryRow(ctx context.Context, q string, args ...any) storesql.Row {
	return p.db.QueryRowContext(ctx, q, args...)
}
