package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// dialect is PostgreSQL's spelling of the SQL the stores share (package
// storesql): numbered placeholders; times as timestamptz in UTC; lists of
// regions as one text[] parameter and page limits as parameters, so that
// a statement's text, and with it the connection's prepared statement, is
// the same whatever their values; claims that skip locked rows; ids
// compared in byte order (COLLATE "C"), as they are made.
var dialect = &storesql.Dialect{
	Numbered:    true,
	Time:        func(t time.Time) any { return t.UTC() },
	ArrayParams: true,
	LimitParam:  true,
	SkipLocked:  true,
	ByteOrder:   ` COLLATE "C"`,
}

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

// decisions reads the shared decision listings through the pool.
func (s *Store) decisions() storesql.Decisions {
	return storesql.Decisions{Dialect: dialect, DB: poolQuerier{s.pool}, Scan: scanDecision, Translate: translate}
}

// poolQuerier is the pool as a storesql.Querier.
type poolQuerier struct{ pool *pgxpool.Pool }

func (p poolQuerier) Query(ctx context.Context, q string, args ...any) (storesql.Rows, func(), error) {
	rows, err := p.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	return rows, rows.Close, nil
}

func (p poolQuerier) QueryRow(ctx context.Context, q string, args ...any) storesql.Row {
	return p.pool.QueryRow(ctx, q, args...)
}
