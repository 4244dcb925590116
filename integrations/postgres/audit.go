package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// RecordAccess appends e to the access trail, completed by
// storesql.AuditDefaults (stamped now, ids sorting by time). Errors are *gate.Error: KindConflict when e.ID is taken,
// KindUnavailable when the database could not be reached.
func (s *Store) RecordAccess(ctx context.Context, e gate.AuditEntry) error {
	e = storesql.AuditDefaults(e, time.Now())
	_, err := s.pool.Exec(ctx, insertAuditSQL, e.ID, e.At.UTC(), e.Actor, e.Action, e.Resource, e.ResourceID, e.Detail)
	return translate("record access", err)
}

var insertAuditSQL = dialect.Rebind(storesql.InsertAudit)

// ListAudit returns the entries matching f, newest first (ORDER BY id DESC,
// a keyset on id), at most f.Limit (50 when not positive, never more than
// 500). Since <= At < Until when they are set. Errors are *gate.Error:
// KindUnavailable when the database could not be read.
func (s *Store) ListAudit(ctx context.Context, f gate.AuditFilter) ([]gate.AuditEntry, error) {
	const what = "list the access trail"
	q, args := storesql.ListAudit(dialect, f)
	rows, err := s.pool.Query(ctx, q, args...)
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
