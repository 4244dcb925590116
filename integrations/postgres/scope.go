package postgres

import (
	"strconv"
	"strings"

	"github.com/jkngate/jkngate/gate"
)

// Listing limits: the contract's, as gate states them. gate's services
// clamp too; the store does it again for callers that are not gate.
const (
	defaultLimit = gate.DefaultPageSize
	maxLimit     = gate.MaxPageSize
)

func pageLimit(n int) int {
	switch {
	case n <= 0:
		return defaultLimit
	case n > maxLimit:
		return maxLimit
	default:
		return n
	}
}

// where accumulates the conditions of a WHERE clause and their arguments,
// numbering the placeholders ($1, $2, ...) as they are added.
type where struct {
	conds []string
	args  []any
}

// arg adds v to the arguments and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) add(cond string) { w.conds = append(w.conds, cond) }

// String returns " WHERE c1 AND c2 ...", or "" without conditions.
func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// addScope adds the condition that keeps a region code column col within s,
// as the SQLite store's scopeClause does: a region r is visible when s.All,
// or r is in s.Exact(), or r has 4 digits and its first two are in
// s.Provinces(). A scope of everything adds nothing, the zero Scope a
// condition that is always false.
//
// The regions are passed as text[] parameters (col = ANY($n)), so the
// statement text, and with it the connection's prepared statement, is the
// same whatever the number of regions.
func (w *where) addScope(col string, s gate.Scope) {
	if s.All {
		return
	}
	exact, provinces := s.Exact(), s.Provinces()
	var parts []string
	if len(exact) > 0 {
		parts = append(parts, col+" = ANY("+w.arg(exact)+"::text[])")
	}
	if len(provinces) > 0 {
		parts = append(parts, "(length("+col+") = 4 AND substr("+col+", 1, 2) = ANY("+w.arg(provinces)+"::text[]))")
	}
	switch len(parts) {
	case 0:
		w.add("false")
	case 1:
		w.add(parts[0])
	default:
		w.add("(" + strings.Join(parts, " OR ") + ")")
	}
}

// addRegion adds the condition of a region filter: a 4-digit region is
// itself alone, a 2-digit province also covers its 4-digit regencies (the
// rule of gate.RegionCovers).
func (w *where) addRegion(col, region string) {
	p := w.arg(region)
	if len(region) != 2 {
		w.add(col + " = " + p)
		return
	}
	w.add("(" + col + " = " + p + " OR (length(" + col + ") = 4 AND substr(" + col + ", 1, 2) = " + p + "))")
}
