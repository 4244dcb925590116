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

// readDecision returns a reader of decision rows for storesql.Each: scan
// errors are translated as what failed, undecodable rows are
// corrupt_decision.
func readDecision(what string) func(storesql.Rows) (gate.Decision, error) {
	return func(rows storesql.Rows) (gate.Decision, error) {
		var r decisionRow
		if err := r.scan(rows); err != nil {
			return gate.Decision{}, translate(what, err)
		}
		return decodeRow(r)
	}
}

// failed returns the translation of errors of what for storesql.Each.
func failed(what string) func(error) error {
	return func(err error) error { return translate(what, err) }
}

// decisions reads the shared decision listings through the pool.
func (s *Store) decisions() storesql.Decisions {
	return storesql.Decisions{Dialect: dialect, DB: poolQuerier{s.pool}, Read: readDecision, Translate: translate}
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
