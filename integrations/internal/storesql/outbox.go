package storesql

import (
	"slices"
	"strings"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// CallbackDefaults returns c as the outbox stores it: without an ID it gets
// gate.NewCallbackID(now); without a State it is pending; without a
// CreatedAt it is created now; without a Kind it is a decision update.
func CallbackDefaults(c gate.Callback, now time.Time) gate.Callback {
	if c.ID == "" {
		c.ID = gate.NewCallbackID(now)
	}
	if c.State == "" {
		c.State = gate.CallbackPending
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.Kind == "" {
		c.Kind = gate.CallbackKindDecisionUpdated
	}
	return c
}

// CheckClaim refuses a claim without a positive lease and limit: a
// *gate.Error of KindInvalid, code invalid_claim.
func CheckClaim(lease time.Duration, limit int) error {
	if lease <= 0 || limit <= 0 {
		return gate.Errorf(gate.KindInvalid, gate.CodeInvalidClaim, "a claim needs a positive lease and limit")
	}
	return nil
}

// CallbackColumns are the columns a claim returns, in order.
const CallbackColumns = `id, decision_id, client_id, url, state, attempts, next_attempt, last_error, created_at, kind`

// ClaimCallbacks returns the statement that leases up to a limit of pending
// callbacks due by now whose lease (if any) has ended by now, the longest
// due first, and returns them (CallbackColumns, in no order: see
// SortCallbacks). Its arguments are the lease's end, now, now and the
// limit.
//
// The select and the lease are one UPDATE: on SQLite in the writer's
// exclusive transaction; on PostgreSQL with FOR UPDATE SKIP LOCKED, so
// that a concurrent claimer on any replica skips the rows this one is
// leasing instead of waiting for them, and a row leased meanwhile fails
// the subquery's re-check. Either way two claimers never get the same
// callback while its lease runs.
func ClaimCallbacks(d *Dialect) string {
	return d.Rebind(`UPDATE callbacks SET lease_until = ?
		WHERE id IN (SELECT o.id FROM callbacks o
			WHERE o.state = 'pending' AND o.next_attempt <= ? AND (o.lease_until IS NULL OR o.lease_until <= ?)
			AND ` + inOrderOSS(d) + `
			ORDER BY o.next_attempt, o.id LIMIT ?` + d.skipLocked(" OF o") + `)
		RETURNING ` + CallbackColumns)
}

// inOrderOSS holds back an OSS status message (kind oss.*, callbacks o)
// while an earlier one for the same application is still pending (leased
// or waiting for a retry): OSS must get a permit's statuses in order, also
// when several replicas deliver and across restarts, since the condition
// is read from the outbox itself. Callback ids sort by creation, byte by
// byte.
func inOrderOSS(d *Dialect) string {
	return `NOT (o.kind LIKE 'oss.%' AND EXISTS (SELECT 1 FROM callbacks e
		JOIN decisions ed ON ed.id = e.decision_id
		JOIN decisions od ON od.id = o.decision_id
		WHERE e.state = 'pending' AND e.kind LIKE 'oss.%' AND e.id` + d.ByteOrder + ` < o.id` + d.ByteOrder + `
			AND ed.client_id = od.client_id AND ed.application_id = od.application_id))`
}

// ClaimRechecks returns the statement that leases rechecks as
// ClaimCallbacks does callbacks, returning decision_id, attempts,
// next_attempt, until. Its arguments are the lease's end, now, now and the
// limit.
func ClaimRechecks(d *Dialect) string {
	return d.Rebind(`UPDATE rechecks SET lease_until = ?
		WHERE decision_id IN (SELECT decision_id FROM rechecks
			WHERE next_attempt <= ? AND (lease_until IS NULL OR lease_until <= ?)
			ORDER BY next_attempt, decision_id LIMIT ?` + d.skipLocked("") + `)
		RETURNING decision_id, attempts, next_attempt, until`)
}

// skipLocked returns the row lock of a claim's subquery, of the tables
// named by of (" OF o", or "" for all).
func (d *Dialect) skipLocked(of string) string {
	if !d.SkipLocked {
		return ""
	}
	return " FOR UPDATE" + of + " SKIP LOCKED"
}

// SortCallbacks puts claimed callbacks in claim order, the longest due
// first, since RETURNING gives no order.
func SortCallbacks(cs []gate.Callback) {
	slices.SortFunc(cs, func(a, b gate.Callback) int {
		if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// SortRechecks puts claimed rechecks in claim order, as SortCallbacks.
func SortRechecks(rs []gate.Recheck) {
	slices.SortFunc(rs, func(a, b gate.Recheck) int {
		if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
			return c
		}
		return strings.Compare(a.DecisionID, b.DecisionID)
	})
}

// NoSuchRow is the error of an UPDATE or DELETE of one row that touched
// none: a *gate.Error of KindNotFound with the given code.
func NoSuchRow(what, code string) error {
	return gate.Errorf(gate.KindNotFound, code, "could not %s: no such row", what)
}
