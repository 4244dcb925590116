package gate

import (
	"context"
	"time"
)

// RetentionStore erases worker-level personal data from old decisions.
type RetentionStore interface {
	// EraseWorkerData replaces, in at most limit decisions decided before
	// cutoff, the listed workers' NIKs of the stored application with their
	// MaskNIK form, and returns how many decisions it changed. Outcomes,
	// reasons and evidence stay as they were (they never held a full NIK).
	// Calling it again changes nothing already erased.
	EraseWorkerData(ctx context.Context, cutoff time.Time, limit int) (int, error)
}

// EraseOldPersonalData erases worker-level personal data from every decision
// older than retention (UU 27/2022: keep personal data no longer than
// needed), in batches, and returns how many decisions it changed. A zero
// retention keeps everything.
func EraseOldPersonalData(ctx context.Context, st RetentionStore, now time.Time, retention time.Duration) (int, error) {
	if retention <= 0 {
		return 0, nil
	}
	cutoff := now.Add(-retention)
	total := 0
	for {
		n, err := st.EraseWorkerData(ctx, cutoff, 500)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// workersErased reports whether an application's worker list was erased by
// retention (its NIKs are masked), so that it cannot be evaluated again.
func workersErased(a Application) bool {
	for _, w := range a.Workers {
		if IsMaskedNIK(w.NIK) {
			return true
		}
	}
	return false
}
