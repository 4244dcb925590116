// Package storesql is the SQL that the SQLite store (integrations/sqlite,
// through database/sql) and the PostgreSQL store (integrations/postgres,
// through pgx) share: the statements, filters, scope and keyset cursors of
// the listings, the page limits, the outbox claims, the review-conflict
// rule and the encoding of a decision's documents. It builds SQL text and
// arguments and decodes rows; it runs nothing, so each store keeps its own
// driver, connections, transactions and error translation.
//
// What the two databases spell differently is a Dialect's: placeholders
// (? or $1), how a time is compared with a timestamp column, lists as one
// array parameter or as many, LIMIT as a parameter or a literal, row locks
// that skip locked rows, and byte-order comparison of ids.
//
// Only the two stores import it.
package storesql

import (
	"strconv"
	"strings"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// Dialect is what one database spells its own way. The zero value is
// SQLite's spelling, but for Time, which each store sets.
type Dialect struct {
	// Numbered placeholders, $1, $2, ... (PostgreSQL), rather than ?
	// (SQLite).
	Numbered bool
	// Time encodes a time as a value to compare with the dialect's
	// timestamp columns: SQLite's fixed-width text, PostgreSQL's
	// timestamptz.
	Time func(time.Time) any
	// ArrayParams passes a list of values as one text[] parameter
	// (col = ANY($n::text[])), so that the statement text, and with it a
	// connection's prepared statement, is the same whatever the list's
	// length (PostgreSQL). Otherwise a list is col IN (?, ?, ...).
	ArrayParams bool
	// LimitParam passes a page's LIMIT as a parameter, so that pages of
	// any size share a prepared statement (PostgreSQL). Otherwise it is
	// written into the statement, where SQLite's planner sees it.
	LimitParam bool
	// SkipLocked ends a claim's subquery with FOR UPDATE ... SKIP LOCKED,
	// so that concurrent claimers (replicas) skip each other's rows
	// (PostgreSQL). SQLite's write transaction is exclusive already.
	SkipLocked bool
	// ByteOrder follows an id compared with < where ids must compare byte
	// by byte, as they are made: ` COLLATE "C"` on PostgreSQL, whose
	// default collation need not; "" on SQLite, whose default is bytes.
	ByteOrder string
}

// Placeholder returns the n-th (from 1) parameter's placeholder.
func (d *Dialect) Placeholder(n int) string {
	if d.Numbered {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// Rebind returns q, written with ? placeholders, in the dialect's: the
// i-th ? outside quotes becomes $i where placeholders are numbered. The
// statements of this package are written with ?, so SQLite uses them as
// they are.
func (d *Dialect) Rebind(q string) string {
	if !d.Numbered {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// PageLimit is the number of rows a listing returns for a requested limit
// n: gate.DefaultPageSize when n is not positive, never more than
// gate.MaxPageSize. gate's services clamp too; the stores do it again for
// callers that are not gate.
func PageLimit(n int) int {
	switch {
	case n <= 0:
		return gate.DefaultPageSize
	case n > gate.MaxPageSize:
		return gate.MaxPageSize
	default:
		return n
	}
}
