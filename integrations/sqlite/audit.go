package sqlite

import (
	"context"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// RecordAccess appends e to the access trail, completed by
// storesql.AuditDefaults (stamped now, ids sorting by time). Errors are *gate.Error: KindConflict when e.ID is taken,
// KindUnavailable when the database could not be reached.
func (s *Store) RecordAccess(ctx context.Context, e gate.AuditEntry) error {
	e = storesql.AuditDefaults(e, time.Now())
	_, err := s.writer.ExecContext(ctx, storesql.InsertAudit, e.ID, formatTime(e.At), e.Actor, e.Action, e.Resource, e.ResourceID, e.Detail)
	return translate("record access", err)
}

// ListAudit returns the entries matching f, newest first (by ID), at most
// f.Limit (50 when not positive, never more than 500). Since <= At < Until
// when they are set. Errors are *gate.Error: KindUnavailable when the
// database could not be read, KindInternal when a stored time is corrupt.
func (s *Store) ListAudit(ctx context.Context, f gate.AuditFilter) ([]gate.AuditEntry, error) {
	const what = "list the access trail"
	q, args := storesql.ListAudit(dialect, f)
	rows, err := s.readers.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(what, err)
	}
	defer rows.Close()
	return storesql.Collect(rows, func(rows storesql.Rows) (gate.AuditEntry, error) {
		var e gate.AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Resource, &e.ResourceID, &e.Detail); err != nil {
			return e, translate(what, err)
		}
		var err error
		if e.At, err = parseTime(at); err != nil {
			return e, corrupt("audit entry "+e.ID, err)
		}
		return e, nil
	}, failed(what))
}
