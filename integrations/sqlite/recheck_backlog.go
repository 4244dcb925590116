package sqlite

import (
	"context"
	"time"
)

// DueRechecks counts the rechecks due at now (NextAttempt at or before
// now), leased or not: the recheck backlog. Errors are *gate.Error:
// KindUnavailable when the database could not be reached.
func (s *Store) DueRechecks(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.readers.QueryRowContext(ctx, `SELECT count(*) FROM rechecks WHERE next_attempt <= ?`,
		formatTime(now)).Scan(&n)
	if err != nil {
		return 0, translate("count due rechecks", err)
	}
	return n, nil
}
