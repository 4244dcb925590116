package storesql

import (
	"strconv"
	"strings"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// Where accumulates the conditions of a WHERE clause and their arguments,
// in the dialect's placeholders. Arguments are numbered in the order Arg
// is called, which must be the order their placeholders appear in the
// statement (as ? counts them): build each condition just before adding
// it, and the clauses after WHERE (LIMIT) after the conditions.
type Where struct {
	d     *Dialect
	conds []string
	args  []any
}

// Where returns an empty WHERE clause of the dialect.
func (d *Dialect) Where() *Where { return &Where{d: d} }

// Arg adds v to the arguments and returns its placeholder.
func (w *Where) Arg(v any) string {
	w.args = append(w.args, v)
	return w.d.Placeholder(len(w.args))
}

// Time adds t, encoded as the dialect compares times, to the arguments
// and returns its placeholder.
func (w *Where) Time(t time.Time) string { return w.Arg(w.d.Time(t)) }

// Add adds a condition, built with Arg for its values.
func (w *Where) Add(cond string) { w.conds = append(w.conds, cond) }

// Args returns the arguments in placeholder order.
func (w *Where) Args() []any { return w.args }

// String returns " WHERE c1 AND c2 ...", or "" without conditions.
func (w *Where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Limit returns " LIMIT n" for the page limit of n (see PageLimit), as a
// parameter or a literal as the dialect prefers. Call it after the
// conditions are added.
func (w *Where) Limit(n int) string {
	n = PageLimit(n)
	if w.d.LimitParam {
		return " LIMIT " + w.Arg(n)
	}
	return " LIMIT " + strconv.Itoa(n)
}

// in returns the condition that col is one of values.
func (w *Where) in(col string, values []string) string {
	if w.d.ArrayParams {
		return col + " = ANY(" + w.Arg(values) + "::text[])"
	}
	ps := make([]string, len(values))
	for i, v := range values {
		ps[i] = w.Arg(v)
	}
	return col + " IN (" + strings.Join(ps, ", ") + ")"
}

// AddScope adds the condition that keeps a region code column col within
// s: a region r is visible when s.All, or r is in s.Exact(), or r has 4
// digits and its first two are in s.Provinces(). A scope of everything adds
// nothing, the zero Scope a condition that is always false.
//
// Exact regions alone become col IN (...) or col = ANY(...), which the
// (region_code, ...) indexes serve; the province part is an OR evaluated
// on each row the chosen index yields.
func (w *Where) AddScope(col string, s gate.Scope) {
	if s.All {
		return
	}
	exact, provinces := s.Exact(), s.Provinces()
	var parts []string
	if len(exact) > 0 {
		parts = append(parts, w.in(col, exact))
	}
	if len(provinces) > 0 {
		parts = append(parts, "(length("+col+") = 4 AND "+w.in("substr("+col+", 1, 2)", provinces)+")")
	}
	switch len(parts) {
	case 0:
		w.Add("1 = 0")
	case 1:
		w.Add(parts[0])
	default:
		w.Add("(" + strings.Join(parts, " OR ") + ")")
	}
}

// AddRegion adds the condition of a region filter on col: a 4-digit region
// is itself alone, a 2-digit province also covers its 4-digit regencies
// (the rule of gate.RegionCovers).
func (w *Where) AddRegion(col, region string) {
	if len(region) != 2 {
		w.Add(col + " = " + w.Arg(region))
		return
	}
	eq := col + " = " + w.Arg(region)
	w.Add("(" + eq + " OR (length(" + col + ") = 4 AND substr(" + col + ", 1, 2) = " + w.Arg(region) + "))")
}
