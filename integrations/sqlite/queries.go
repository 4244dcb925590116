package sqlite

import (
	"context"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

var (
	_ gate.PeopleStore    = (*Store)(nil)
	_ gate.Outbox         = (*Store)(nil)
	_ gate.RecheckQueue   = (*Store)(nil)
	_ gate.RetentionStore = (*Store)(nil)
)

// listDecisionsQuery is ListDecisions' query (also explained by
// BenchmarkListDecisions).
func listDecisionsQuery(f gate.DecisionFilter) (string, []any) {
	return storesql.ListDecisions(dialect, f)
}

// ListDecisions returns the decisions matching f within f.Scope, newest
// first, at most f.Limit (50 when not positive, never more than 500). Errors
// are *gate.Error: KindUnavailable when the database could not be read,
// KindInternal when a stored row cannot be decoded.
func (s *Store) ListDecisions(ctx context.Context, f gate.DecisionFilter) ([]gate.Decision, error) {
	return s.decisions().List(ctx, f)
}

// EachDecision calls fn for every decision matching f within f.Scope (f.Limit
// is ignored), newest first. Rows are streamed from one read connection, so
// memory stays constant; while fn runs, that connection holds its read
// snapshot (in WAL mode it does not block writers, but the WAL cannot be
// checkpointed past it). It returns fn's first error as is; other errors are
// *gate.Error as for ListDecisions.
func (s *Store) EachDecision(ctx context.Context, f gate.DecisionFilter, fn func(gate.Decision) error) error {
	return s.decisions().Each(ctx, f, fn)
}

// DecisionCounts counts the decisions matching f within f.Scope by outcome
// (f.Limit is ignored). Outcomes without decisions are absent from the map.
// Errors are *gate.Error of KindUnavailable.
func (s *Store) DecisionCounts(ctx context.Context, f gate.DecisionFilter) (map[gate.Outcome]int, error) {
	return s.decisions().Counts(ctx, f)
}

// ListReviews returns the decisions within f.Scope whose review is in
// f.State, newest first, at most f.Limit (50 when not positive, never more
// than 500). "open" means awaiting review: open and not superseded; "closed"
// means reviewed. Errors are *gate.Error: KindInvalid for another state,
// KindUnavailable when the database could not be read, KindInternal when a
// stored row cannot be decoded.
func (s *Store) ListReviews(ctx context.Context, f gate.ReviewFilter) ([]gate.Decision, error) {
	return s.decisions().Reviews(ctx, f)
}

// CountReviews counts what ListReviews would list without a limit or
// cursor. Errors as ListReviews.
func (s *Store) CountReviews(ctx context.Context, f gate.ReviewFilter) (int, error) {
	return s.decisions().CountReviews(ctx, f)
}
