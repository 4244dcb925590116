package storesql

import (
	"context"
	"errors"

	"github.com/jkngate/jkngate/gate"
)

// Querier runs read statements for Decisions, adapted by each store from
// its driver (database/sql's read pool, pgx's pool).
type Querier interface {
	// Query runs q and returns its rows and the function that closes them.
	Query(ctx context.Context, q string, args ...any) (Rows, func(), error)
	// QueryRow runs q, which returns one row.
	QueryRow(ctx context.Context, q string, args ...any) Row
}

// Row is one row of QueryRow: *sql.Row or pgx.Row.
type Row interface {
	Scan(dest ...any) error
}

// Decisions reads the decision listings both stores offer (gate's
// DecisionFilter and ReviewFilter) through a store's Querier. What is the
// store's own comes in as functions: how a decision row (DecisionColumns)
// is scanned and decoded, and how its driver's errors translate to gate's
// kinds.
type Decisions struct {
	Dialect *Dialect
	DB      Querier
	// Scan reads one decision row: a driver's error when the scan fails,
	// a *gate.Error (CorruptDecision) when the row cannot be decoded.
	Scan func(Rows) (gate.Decision, error)
	// Translate turns a driver's error of what into a *gate.Error.
	Translate func(what string, err error) error
}

// List returns the decisions matching f (ListDecisions' query), newest
// first, at most PageLimit(f.Limit).
func (ds Decisions) List(ctx context.Context, f gate.DecisionFilter) ([]gate.Decision, error) {
	q, args := ListDecisions(ds.Dialect, f)
	return ds.collect(ctx, "list decisions", q, args)
}

// Each calls fn for every decision matching f, newest first, as the rows
// arrive. It returns fn's first error as is.
func (ds Decisions) Each(ctx context.Context, f gate.DecisionFilter, fn func(gate.Decision) error) error {
	const what = "stream decisions"
	q, args := EachDecision(ds.Dialect, f)
	rows, done, err := ds.DB.Query(ctx, q, args...)
	if err != nil {
		return ds.Translate(what, err)
	}
	defer done()
	return Each(rows, ds.read(what), fn, ds.failed(what))
}

// Counts counts the decisions matching f by outcome.
func (ds Decisions) Counts(ctx context.Context, f gate.DecisionFilter) (map[gate.Outcome]int, error) {
	const what = "count decisions"
	q, args := DecisionCounts(ds.Dialect, f)
	rows, done, err := ds.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, ds.Translate(what, err)
	}
	defer done()
	return OutcomeCounts(rows, ds.failed(what))
}

// Reviews returns the decisions whose review is in f.State (ListReviews'
// query). Errors: as ListReviews' for the filter, else translated.
func (ds Decisions) Reviews(ctx context.Context, f gate.ReviewFilter) ([]gate.Decision, error) {
	q, args, err := ListReviews(ds.Dialect, f)
	if err != nil {
		return nil, err
	}
	return ds.collect(ctx, "list reviews", q, args)
}

// CountReviews counts what Reviews would list without a limit or cursor.
func (ds Decisions) CountReviews(ctx context.Context, f gate.ReviewFilter) (int, error) {
	q, args, err := CountReviews(ds.Dialect, f)
	if err != nil {
		return 0, err
	}
	var n int
	if err := ds.DB.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, ds.Translate("count reviews", err)
	}
	return n, nil
}

func (ds Decisions) collect(ctx context.Context, what, q string, args []any) ([]gate.Decision, error) {
	rows, done, err := ds.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, ds.Translate(what, err)
	}
	defer done()
	return Collect(rows, ds.read(what), ds.failed(what))
}

// read is Scan with the driver's errors translated.
func (ds Decisions) read(what string) func(Rows) (gate.Decision, error) {
	return Translating(ds.Scan, ds.Translate, what)
}

// Translating returns read with the driver's errors turned into
// *gate.Error by translate, as what; a *gate.Error (such as a corrupt row's)
// passes as it is.
func Translating[T any](read func(Rows) (T, error), translate func(what string, err error) error, what string) func(Rows) (T, error) {
	return func(rows Rows) (T, error) {
		v, err := read(rows)
		if err != nil && !errors.As(err, new(*gate.Error)) {
			var zero T
			return zero, translate(what, err)
		}
		return v, err
	}
}

func (ds Decisions) failed(what string) func(error) error {
	return func(err error) error { return ds.Translate(what, err) }
}
