package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// EraseWorkerData masks the listed workers' NIKs in the stored application
// of up to limit decisions decided before cutoff that still hold a full NIK,
// in one transaction, and returns how many it changed.
func (s *Store) EraseWorkerData(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	const what = "erase worker data"
	changed := 0
	err := s.inTx(ctx, what, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, application FROM decisions
			WHERE decided_at < ? AND application IS NOT NULL
			  AND EXISTS (SELECT 1 FROM json_each(application, '$.workers') WHERE value NOT LIKE '%*%')
			LIMIT ?`, formatTime(cutoff), limit)
		if err != nil {
			return translate(what, err)
		}
		defer rows.Close()
		changes, err := storesql.Collect(rows, storesql.Translating(storesql.ReadMasked, translate, what), failed(what))
		if err != nil {
			return err
		}
		if err := rows.Close(); err != nil {
			return translate(what, err)
		}
		for _, c := range changes {
			if _, err := tx.ExecContext(ctx, `UPDATE decisions SET application = ? WHERE id = ?`, nullable(c.Application), c.ID); err != nil {
				return translate(what, err)
			}
		}
		changed = len(changes)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return changed, nil
}
