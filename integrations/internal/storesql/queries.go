package storesql

import (
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/decisiondoc"
)

// DecisionColumns lists a decision's columns (table alias d) in the order
// both stores' rows scan them.
const DecisionColumns = `d.id, d.application_id, d.nib, d.region_code, d.permit_type, d.outcome,
	d.reasons, d.evidence, d.policy_version, d.decided_at, d.valid_until, d.supersedes, d.review,
	d.client_id, d.webhook_id, d.callback_url, d.declared_workers, d.application`

// DecisionWhere turns f, except its Limit, into a WHERE clause on
// decisions d. The scope is always part of it, so that nothing out of scope
// is read. f.After is the keyset cursor of the order by id, newest first.
func DecisionWhere(d *Dialect, f gate.DecisionFilter) *Where {
	w := d.Where()
	w.AddScope("d.region_code", f.Scope)
	if f.NIB != "" {
		w.Add("d.nib = " + w.Arg(f.NIB))
	}
	if f.ApplicationID != "" {
		w.Add("d.application_id = " + w.Arg(f.ApplicationID))
	}
	if f.Outcome != "" {
		w.Add("d.outcome = " + w.Arg(string(f.Outcome)))
	}
	if f.Region != "" {
		w.AddRegion("d.region_code", f.Region)
	}
	if !f.Since.IsZero() {
		w.Add("d.decided_at >= " + w.Time(f.Since))
	}
	if !f.Until.IsZero() {
		w.Add("d.decided_at < " + w.Time(f.Until))
	}
	if f.HeadsOnly {
		w.Add("d.superseded_by IS NULL")
	}
	if f.After != "" {
		w.Add("d.id < " + w.Arg(f.After))
	}
	return w
}

// ListDecisions returns the query of a page of decisions matching f,
// newest first (ORDER BY id DESC, a keyset on id), and its arguments.
func ListDecisions(d *Dialect, f gate.DecisionFilter) (string, []any) {
	w := DecisionWhere(d, f)
	q := `SELECT ` + DecisionColumns + ` FROM decisions d` + w.String() + ` ORDER BY d.id DESC` + w.Limit(f.Limit)
	return q, w.Args()
}

// EachDecision returns the query of every decision matching f (f.Limit is
// ignored), newest first, and its arguments.
func EachDecision(d *Dialect, f gate.DecisionFilter) (string, []any) {
	w := DecisionWhere(d, f)
	return `SELECT ` + DecisionColumns + ` FROM decisions d` + w.String() + ` ORDER BY d.id DESC`, w.Args()
}

// DecisionCounts returns the query counting the decisions matching f by
// outcome (rows of outcome, count), and its arguments.
func DecisionCounts(d *Dialect, f gate.DecisionFilter) (string, []any) {
	w := DecisionWhere(d, f)
	return `SELECT d.outcome, count(*) FROM decisions d` + w.String() + ` GROUP BY d.outcome`, w.Args()
}

// ReviewWhere is the condition of a review filter, without its cursor.
// "open" means awaiting review: open and not superseded; "closed" means
// reviewed. Errors are *gate.Error of KindInvalid for another state.
func ReviewWhere(d *Dialect, f gate.ReviewFilter) (*Where, error) {
	w := d.Where()
	w.AddScope("d.region_code", f.Scope)
	switch f.State {
	case gate.ReviewOpen:
		w.Add("d.review_state = " + w.Arg(gate.ReviewOpen) + " AND d.superseded_by IS NULL")
	case gate.ReviewClosed:
		w.Add("d.review_state = " + w.Arg(gate.ReviewClosed))
	default:
		return nil, gate.Errorf(gate.KindInvalid, gate.CodeInvalidReviewState,
			"review state %q is neither %q nor %q", f.State, gate.ReviewOpen, gate.ReviewClosed)
	}
	if f.NIB != "" {
		w.Add("d.nib = " + w.Arg(f.NIB))
	}
	if f.Overdue {
		// review_due_at is decisiondoc's text in both stores.
		w.Add("d.review_due_at <> '' AND d.review_due_at < " + w.Arg(decisiondoc.FormatTime(f.Now)))
	}
	return w, nil
}

// ListReviews returns the query of a page of the decisions whose review is
// in f.State, and its arguments: open reviews soonest due first (the
// licensing deadline runs out in this order), keyed on (review_due_at, id);
// closed ones newest first, keyed on id. Errors as ReviewWhere's.
func ListReviews(d *Dialect, f gate.ReviewFilter) (string, []any, error) {
	w, err := ReviewWhere(d, f)
	if err != nil {
		return "", nil, err
	}
	order := ` ORDER BY d.id DESC`
	if f.State == gate.ReviewOpen {
		order = ` ORDER BY d.review_due_at, d.id`
		if f.After != "" {
			w.Add("(d.review_due_at, d.id) > (SELECT review_due_at, id FROM decisions WHERE id = " + w.Arg(f.After) + ")")
		}
	} else if f.After != "" {
		w.Add("d.id < " + w.Arg(f.After))
	}
	q := `SELECT ` + DecisionColumns + ` FROM decisions d` + w.String() + order + w.Limit(f.Limit)
	return q, w.Args(), nil
}

// CountReviews returns the query counting what ListReviews would list
// without a limit or cursor, and its arguments. Errors as ReviewWhere's.
func CountReviews(d *Dialect, f gate.ReviewFilter) (string, []any, error) {
	w, err := ReviewWhere(d, f)
	if err != nil {
		return "", nil, err
	}
	return `SELECT count(*) FROM decisions d` + w.String(), w.Args(), nil
}

// AuditDefaults returns e as the access trail stores it: without an At it
// is stamped now; without an ID it gets gate.NewAuditID(e.At), so that ids
// sort by time.
func AuditDefaults(e gate.AuditEntry, now time.Time) gate.AuditEntry {
	if e.At.IsZero() {
		e.At = now
	}
	if e.ID == "" {
		e.ID = gate.NewAuditID(e.At)
	}
	return e
}

// ListAudit returns the query of a page of the access trail entries
// matching f (Since <= at < Until when they are set), newest first (ORDER
// BY id DESC, a keyset on id), and its arguments. Its rows are id, at,
// actor, action, resource, resource_id, detail.
func ListAudit(d *Dialect, f gate.AuditFilter) (string, []any) {
	w := d.Where()
	if f.Actor != "" {
		w.Add("actor = " + w.Arg(f.Actor))
	}
	if f.Action != "" {
		w.Add("action = " + w.Arg(f.Action))
	}
	if f.ResourceID != "" {
		w.Add("resource_id = " + w.Arg(f.ResourceID))
	}
	if !f.Since.IsZero() {
		w.Add("at >= " + w.Time(f.Since))
	}
	if !f.Until.IsZero() {
		w.Add("at < " + w.Time(f.Until))
	}
	if f.After != "" {
		w.Add("id < " + w.Arg(f.After))
	}
	q := `SELECT id, at, actor, action, resource, resource_id, detail FROM audit` + w.String() +
		` ORDER BY id DESC` + w.Limit(f.Limit)
	return q, w.Args()
}

// OutcomeCounts reads the rows of DecisionCounts' query into a map.
// Errors, of a scan or of the result set, are returned through failed, the
// store's translation.
func OutcomeCounts(rows Rows, failed func(error) error) (map[gate.Outcome]int, error) {
	counts := map[gate.Outcome]int{}
	for rows.Next() {
		var outcome string
		var n int
		if err := rows.Scan(&outcome, &n); err != nil {
			return nil, failed(err)
		}
		counts[gate.Outcome(outcome)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, failed(err)
	}
	return counts, nil
}
