package postgres

import (
	"context"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/decisiondoc"
)

// decisionWhere turns f, except its Limit, into a WHERE clause. The scope is
// always part of it, so that nothing out of scope is read.
func decisionWhere(f gate.DecisionFilter) *where {
	w := &where{}
	w.addScope("d.region_code", f.Scope)
	if f.NIB != "" {
		w.add("d.nib = " + w.arg(f.NIB))
	}
	if f.ApplicationID != "" {
		w.add("d.application_id = " + w.arg(f.ApplicationID))
	}
	if f.Outcome != "" {
		w.add("d.outcome = " + w.arg(string(f.Outcome)))
	}
	if f.Region != "" {
		w.addRegion("d.region_code", f.Region)
	}
	if !f.Since.IsZero() {
		w.add("d.decided_at >= " + w.arg(f.Since.UTC()))
	}
	if !f.Until.IsZero() {
		w.add("d.decided_at < " + w.arg(f.Until.UTC()))
	}
	if f.HeadsOnly {
		w.add("d.superseded_by IS NULL")
	}
	if f.After != "" {
		w.add("d.id < " + w.arg(f.After))
	}
	return w
}

// ListDecisions returns the decisions matching f within f.Scope, newest
// first (ORDER BY id DESC, a keyset on id), at most f.Limit (50 when not
// positive, never more than 500). Errors are *gate.Error: KindUnavailable
// when the database could not be read, KindInternal when a stored row cannot
// be decoded.
func (s *Store) ListDecisions(ctx context.Context, f gate.DecisionFilter) ([]gate.Decision, error) {
	w := decisionWhere(f)
	// The limit is a parameter too, so that pages of any size share the
	// connection's prepared statement.
	q := `SELECT ` + decisionColumns + ` FROM decisions d` + w.String() +
		` ORDER BY d.id DESC LIMIT ` + w.arg(pageLimit(f.Limit))
	return s.queryDecisions(ctx, "list decisions", q, w.args)
}

// EachDecision calls fn for every decision matching f within f.Scope (f.Limit
// is ignored), newest first. Rows are streamed as the server sends them
// (pgx reads them one by one from the connection), so memory stays
// constant; while fn runs, the query holds one pooled connection and its
// snapshot (writers are not blocked, but vacuum cannot remove rows newer
// than it, so a very long export delays cleanup). It returns fn's first
// error as is; other errors are *gate.Error as for ListDecisions.
func (s *Store) EachDecision(ctx context.Context, f gate.DecisionFilter, fn func(gate.Decision) error) error {
	const what = "stream decisions"
	w := decisionWhere(f)
	rows, err := s.pool.Query(ctx,
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
	rows, err := s.pool.Query(ctx,
		`SELECT d.outcome, count(*) FROM decisions d`+w.String()+` GROUP BY d.outcome`, w.args...)
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
			w.add("(d.review_due_at, d.id) > (SELECT review_due_at, id FROM decisions WHERE id = " + w.arg(f.After) + ")")
		}
	} else if f.After != "" {
		w.add("d.id < " + w.arg(f.After))
	}
	q := `SELECT ` + decisionColumns + ` FROM decisions d` + w.String() + order +
		` LIMIT ` + w.arg(pageLimit(f.Limit))
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
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM decisions d`+w.String(), w.args...).Scan(&n); err != nil {
		return 0, translate("count reviews", err)
	}
	return n, nil
}

// reviewWhere is the condition of a review filter, without its cursor.
func reviewWhere(f gate.ReviewFilter) (*where, error) {
	w := &where{}
	w.addScope("d.region_code", f.Scope)
	switch f.State {
	case gate.ReviewOpen:
		w.add("d.review_state = " + w.arg(string(gate.ReviewOpen)) + " AND d.superseded_by IS NULL")
	case gate.ReviewClosed:
		w.add("d.review_state = " + w.arg(string(gate.ReviewClosed)))
	default:
		return nil, gate.Errorf(gate.KindInvalid, gate.CodeInvalidReviewState,
			"review state %q is neither %q nor %q", f.State, gate.ReviewOpen, gate.ReviewClosed)
	}
	if f.NIB != "" {
		w.add("d.nib = " + w.arg(f.NIB))
	}
	if f.Overdue {
		w.add("d.review_due_at <> '' AND d.review_due_at < " + w.arg(decisiondoc.FormatTime(f.Now)))
	}
	return w, nil
}

func (s *Store) queryDecisions(ctx context.Context, what, q string, args []any) ([]gate.Decision, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, translate(what, err)
	}
	defer rows.Close()
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
