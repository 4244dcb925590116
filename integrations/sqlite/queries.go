package sqlite

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/decisiondoc"
)

var (
	_ gate.PeopleStore  = (*Store)(nil)
	_ gate.Outbox       = (*Store)(nil)
	_ gate.RecheckQueue = (*Store)(nil)
)

// decisionWhere turns f, except its Limit, into a WHERE clause. The scope is
// always part of it, so that nothing out of scope is read.
func decisionWhere(f gate.DecisionFilter) *where {
	w := &where{}
	w.addClause(scopeClause("d.region_code", f.Scope))
	if f.NIB != "" {
		w.add("d.nib = ?", f.NIB)
	}
	if f.ApplicationID != "" {
		w.add("d.application_id = ?", f.ApplicationID)
	}
	if f.Outcome != "" {
		w.add("d.outcome = ?", string(f.Outcome))
	}
	if f.Region != "" {
		w.addClause(regionClause("d.region_code", f.Region))
	}
	if !f.Since.IsZero() {
		w.add("d.decided_at >= ?", formatTime(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("d.decided_at < ?", formatTime(f.Until))
	}
	if f.HeadsOnly {
		w.add("d.superseded_by IS NULL")
	}
	if f.After != "" {
		w.add("d.id < ?", f.After)
	}
	return w
}

// listDecisionsQuery is ListDecisions' query (also explained by
// BenchmarkListDecisions).
func listDecisionsQuery(f gate.DecisionFilter) (string, []any) {
	w := decisionWhere(f)
	return `SELECT ` + decisionColumns + ` FROM decisions d` + w.String() +
		` ORDER BY d.id DESC LIMIT ` + strconv.Itoa(pageLimit(f.Limit)), w.args
}

// ListDecisions returns the decisions matching f within f.Scope, newest
// first, at most f.Limit (50 when not positive, never more than 500). Errors
// are *gate.Error: KindUnavailable when the database could not be read,
// KindInternal when a stored row cannot be decoded.
func (s *Store) ListDecisions(ctx context.Context, f gate.DecisionFilter) ([]gate.Decision, error) {
	q, args := listDecisionsQuery(f)
	return s.queryDecisions(ctx, "list decisions", q, args)
}

// EachDecision calls fn for every decision matching f within f.Scope (f.Limit
// is ignored), newest first. Rows are streamed from one read connection, so
// memory stays constant; while fn runs, that connection holds its read
// snapshot (in WAL mode it does not block writers, but the WAL cannot be
// checkpointed past it). It returns fn's first error as is; other errors are
// *gate.Error as for ListDecisions.
func (s *Store) EachDecision(ctx context.Context, f gate.DecisionFilter, fn func(gate.Decision) error) error {
	const what = "stream decisions"
	w := decisionWhere(f)
	rows, err := s.readers.QueryContext(ctx,
		`SELECT `+decisionColumns+` FROM decisions d`+w.String()+` ORDER BY d.id DESC`, w.args...)
	if err != nil {
		return translate(what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r decisionRow
		if err := r.scan(rows); err != nil {
			return translate(what, err)
		}
		d, err := decodeRow(r)
		if err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return translate(what, err)
	}
	return nil
}

// DecisionCounts counts the decisions matching f within f.Scope by outcome
// (f.Limit is ignored). Outcomes without decisions are absent from the map.
// Errors are *gate.Error of KindUnavailable.
func (s *Store) DecisionCounts(ctx context.Context, f gate.DecisionFilter) (map[gate.Outcome]int, error) {
	const what = "count decisions"
	w := decisionWhere(f)
	rows, err := s.readers.QueryContext(ctx,
		`SELECT d.outcome, COUNT(*) FROM decisions d`+w.String()+` GROUP BY d.outcome`, w.args...)
	if err != nil {
		return nil, translate(what, err)
	}
	defer rows.Close()
	counts := map[gate.Outcome]int{}
	for rows.Next() {
		var outcome string
		var n int
		if err := rows.Scan(&outcome, &n); err != nil {
			return nil, translate(what, err)
		}
		counts[gate.Outcome(outcome)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, translate(what, err)
	}
	return counts, nil
}

// ListReviews returns the decisions within f.Scope whose review is in
// f.State, newest first, at most f.Limit (50 when not positive, never more
// than 500). "open" means awaiting review: open and not superseded; "closed"
// means reviewed. Errors are *gate.Error: KindInvalid for another state,
// KindUnavailable when the database could not be read, KindInternal when a
// stored row cannot be decoded.
func (s *Store) ListReviews(ctx context.Context, f gate.ReviewFilter) ([]gate.Decision, error) {
	w, err := reviewWhere(f)
	if err != nil {
		return nil, err
	}
	order := ` ORDER BY d.id DESC`
	if f.State == gate.ReviewOpen {
		// Soonest due first: the licensing deadline runs out in this order.
		order = ` ORDER BY d.review_due_at, d.id`
		if f.After != "" {
			w.add("(d.review_due_at, d.id) > (SELECT review_due_at, id FROM decisions WHERE id = ?)", f.After)
		}
	} else if f.After != "" {
		w.add("d.id < ?", f.After)
	}
	q := `SELECT ` + decisionColumns + ` FROM decisions d` + w.String() + order +
		` LIMIT ` + strconv.Itoa(pageLimit(f.Limit))
	return s.queryDecisions(ctx, "list reviews", q, w.args)
}

// CountReviews counts what ListReviews would list without a limit or
// cursor. Errors as ListReviews.
func (s *Store) CountReviews(ctx context.Context, f gate.ReviewFilter) (int, error) {
	w, err := reviewWhere(f)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.readers.QueryRowContext(ctx, `SELECT count(*) FROM decisions d`+w.String(), w.args...).Scan(&n); err != nil {
		return 0, translate("count reviews", err)
	}
	return n, nil
}

// reviewWhere is the condition of a review filter, without its cursor.
func reviewWhere(f gate.ReviewFilter) (*where, error) {
	w := &where{}
	w.addClause(scopeClause("d.region_code", f.Scope))
	switch f.State {
	case gate.ReviewOpen:
		w.add("d.review_state = ? AND d.superseded_by IS NULL", string(gate.ReviewOpen))
	case gate.ReviewClosed:
		w.add("d.review_state = ?", string(gate.ReviewClosed))
	default:
		return nil, gate.Errorf(gate.KindInvalid, gate.CodeInvalidReviewState,
			"review state %q is neither %q nor %q", f.State, gate.ReviewOpen, gate.ReviewClosed)
	}
	if f.NIB != "" {
		w.add("d.nib = ?", f.NIB)
	}
	if f.Overdue {
		w.add("d.review_due_at <> '' AND d.review_due_at < ?", decisiondoc.FormatTime(f.Now))
	}
	return w, nil
}

func (s *Store) queryDecisions(ctx context.Context, what, q string, args []any) ([]gate.Decision, error) {
	rows, err := s.readers.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(what, err)
	}
	defer rows.Close()
	return scanDecisions(what, rows)
}

func scanDecisions(what string, rows *sql.Rows) ([]gate.Decision, error) {
	out := []gate.Decision{}
	for rows.Next() {
		var r decisionRow
		if err := r.scan(rows); err != nil {
			return nil, translate(what, err)
		}
		d, err := decodeRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(what, err)
	}
	return out, nil
}
