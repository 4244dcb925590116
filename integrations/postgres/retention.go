package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

var _ gate.RetentionStore = (*Store)(nil)

// EraseWorkerData masks the listed workers' NIKs in the stored application
// of up to limit decisions decided before cutoff that still hold a full NIK,
// in one transaction, and returns how many it changed. Rows are locked with
// SKIP LOCKED so replicas running the job at once share the work.
func (s *Store) EraseWorkerData(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	const what = "erase worker data"
	changed := 0
	err := s.inTx(ctx, what, func(tx pgx.Tx) error {
		changed = 0
		rows, err := tx.Query(ctx, `SELECT id, application::text FROM decisions
			WHERE decided_at < $1 AND application IS NOT NULL
			  AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(application->'workers') w WHERE w NOT LIKE '%*%')
			LIMIT $2 FOR UPDATE SKIP LOCKED`, cutoff, limit)
		if err != nil {
			return err
		}
		changes, err := storesql.Collect(rows, storesql.ReadMasked, func(err error) error { return err })
		rows.Close()
		if err != nil {
			return err
		}
		for _, c := range changes {
			if _, err := tx.Exec(ctx, `UPDATE decisions SET application = $1::jsonb WHERE id = $2`, c.Application, c.ID); err != nil {
				return err
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
