package sqlite

import (
	"context"
	"database/sql"

	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

var _ gate.RetentionStore = (*Store)(nil)

// EraseWorkerData masks the listed workers' NIKs in the stored application
// of up to limit decisions decided before cutoff that still hold a full NIK,
// in one transaction, and returns how many it changed.
func (s *Store) EraseWorkerData(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	const what = "erase worker data"
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return 0, translate(what, err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, application FROM decisions
		WHERE decided_at < ? AND application IS NOT NULL
		  AND EXISTS (SELECT 1 FROM json_each(application, '$.workers') WHERE value NOT LIKE '%*%')
		LIMIT ?`, formatTime(cutoff), limit)
	if err != nil {
		return 0, translate(what, err)
	}
	type change struct {
		id  string
		app sql.NullString
	}
	var changes []change
	for rows.Next() {
		var id string
		var raw sql.NullString
		if err := rows.Scan(&id, &raw); err != nil {
			rows.Close()
			return 0, translate(what, err)
		}
		app, err := decodeApplication(raw)
		if err != nil {
			rows.Close()
			return 0, gate.Errorf(gate.KindInternal, gate.CodeCorruptDecision, "decision %s: application: %w", id, err)
		}
		enc, err := encodeApplication(storesql.MaskWorkers(app))
		if err != nil {
			rows.Close()
			return 0, gate.Errorf(gate.KindInternal, gate.CodeUnencodableDecision, "decision %s: %w", id, err)
		}
		changes = append(changes, change{id, enc})
	}
	if err := rows.Close(); err != nil {
		return 0, translate(what, err)
	}
	for _, c := range changes {
		if _, err := tx.ExecContext(ctx, `UPDATE decisions SET application = ? WHERE id = ?`, c.app, c.id); err != nil {
			return 0, translate(what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, translate(what, err)
	}
	return len(changes), nil
}
