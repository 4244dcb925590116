package sqlite

import (
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

// where accumulates the conditions of a WHERE clause and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// addClause adds a condition built with its arguments, such as
// scopeClause's; an empty condition adds nothing.
func (w *where) addClause(cond string, args []any) {
	if cond != "" {
		w.add(cond, args...)
	}
}

// String returns " WHERE c1 AND c2 ...", or "" without conditions.
func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// scopeClause returns the condition that keeps a region code column col
// within s, and its arguments: a region r is visible when s.All, or r is in
// s.Exact(), or r has 4 digits and its first two are in s.Provinces(). A
// scope of everything gives no condition (""), the zero Scope one that is
// always false.
//
// A scope of exact regions alone becomes col IN (...), which the
// (region_code, ...) indexes serve; the province part is an OR that SQLite
// evaluates on each row the chosen index yields.
func scopeClause(col string, s gate.Scope) (string, []any) {
	if s.All {
		return "", nil
	}
	exact, provinces := s.Exact(), s.Provinces()
	var parts []string
	var args []any
	if len(exact) > 0 {
		parts = append(parts, col+" IN ("+placeholders(len(exact))+")")
		for _, r := range exact {
			args = append(args, r)
		}
	}
	if len(provinces) > 0 {
		parts = append(parts, "(length("+col+") = 4 AND substr("+col+", 1, 2) IN ("+placeholders(len(provinces))+"))")
		for _, p := range provinces {
			args = append(args, p)
		}
	}
	switch len(parts) {
	case 0:
		return "1 = 0", nil
	case 1:
		return parts[0], args
	default:
		return "(" + strings.Join(parts, " OR ") + ")", args
	}
}

// regionClause is the condition of a region filter: a 4-digit region is
// itself alone, a 2-digit province also covers its 4-digit regencies (the
// rule of gate.RegionCovers).
func regionClause(col, region string) (string, []any) {
	if len(region) != 2 {
		return col + " = ?", []any{region}
	}
	return "(" + col + " = ? OR (length(" + col + ") = 4 AND substr(" + col + ", 1, 2) = ?))", []any{region, region}
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
