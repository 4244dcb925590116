package sqlite

import (
	"context"
	"strconv"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// RecordAccess appends e to the access trail. An entry without an ID gets
// gate.NewAuditID(e.At) (so ids sort by time); without an At it is
// stamped now. Errors are *gate.Error: KindConflict when e.ID is taken,
// KindUnavailable when the database could not be reached.
func (s *Store) RecordAccess(ctx context.Context, e gate.AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	if e.ID == "" {
		e.ID = gate.NewAuditID(e.At)
	}
	_, err := s.writer.ExecContext(ctx, `INSERT INTO audit (id, at, actor, action, resource, resource_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ID, formatTime(e.At), e.Actor, e.Action, e.Resource, e.ResourceID, e.Detail)
	return translate("record access", err)
}

// ListAudit returns the entries matching f, newest first (by ID), at most
// f.Limit (50 when not positive, never more than 500). Since <= At < Until
// when they are set. Errors are *gate.Error: KindUnavailable when the
// database could not be read, KindInternal when a stored time is corrupt.
func (s *Store) ListAudit(ctx context.Context, f gate.AuditFilter) ([]gate.AuditEntry, error) {
	const what = "list the access trail"
	w := &where{}
	if f.Actor != "" {
		w.add("actor = ?", f.Actor)
	}
	if f.Action != "" {
		w.add("action = ?", f.Action)
	}
	if f.ResourceID != "" {
		w.add("resource_id = ?", f.ResourceID)
	}
	if !f.Since.IsZero() {
		w.add("at >= ?", formatTime(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("at < ?", formatTime(f.Until))
	}
	if f.After != "" {
		w.add("id < ?", f.After)
	}
	rows, err := s.readers.QueryContext(ctx, `SELECT id, at, actor, action, resource, resource_id, detail
		FROM audit`+w.String()+` ORDER BY id DESC LIMIT `+strconv.Itoa(pageLimit(f.Limit)), w.args...)
	if err != nil {
		return nil, translate(what, err)
	}
	defer rows.Close()
	entries := []gate.AuditEntry{}
	for rows.Next() {
		var e gate.AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Resource, &e.ResourceID, &e.Detail); err != nil {
			return nil, translate(what, err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, corrupt("audit entry "+e.ID, err)
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(what, err)
	}
	return entries, nil
}
