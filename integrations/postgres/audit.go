package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
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
	_, err := s.pool.Exec(ctx, `INSERT INTO audit (id, at, actor, action, resource, resource_id, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.ID, e.At.UTC(), e.Actor, e.Action, e.Resource, e.ResourceID, e.Detail)
	return translate("record access", err)
}

// ListAudit returns the entries matching f, newest first (ORDER BY id DESC,
// a keyset on id), at most f.Limit (50 when not positive, never more than
// 500). Since <= At < Until when they are set. Errors are *gate.Error:
// KindUnavailable when the database could not be read.
func (s *Store) ListAudit(ctx context.Context, f gate.AuditFilter) ([]gate.AuditEntry, error) {
	const what = "list the access trail"
	w := &where{}
	if f.Actor != "" {
		w.add("actor = " + w.arg(f.Actor))
	}
	if f.Action != "" {
		w.add("action = " + w.arg(f.Action))
	}
	if f.ResourceID != "" {
		w.add("resource_id = " + w.arg(f.ResourceID))
	}
	if !f.Since.IsZero() {
		w.add("at >= " + w.arg(f.Since.UTC()))
	}
	if !f.Until.IsZero() {
		w.add("at < " + w.arg(f.Until.UTC()))
	}
	if f.After != "" {
		w.add("id < " + w.arg(f.After))
	}
	q := `SELECT id, at, actor, action, resource, resource_id, detail FROM audit` + w.String() +
		` ORDER BY id DESC LIMIT ` + w.arg(pageLimit(f.Limit))
	rows, err := s.pool.Query(ctx, q, w.args...)
	if err != nil {
		return nil, translate(what, err)
	}
	entries, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (gate.AuditEntry, error) {
		var e gate.AuditEntry
		err := row.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Resource, &e.ResourceID, &e.Detail)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, translate(what, err)
	}
	return entries, nil
}
