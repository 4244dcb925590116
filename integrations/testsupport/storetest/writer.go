package storetest

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/batch"
)

// WriterStore is a store whose RecordDecision goes through a group-commit
// writer that counts its work (the SQLite and PostgreSQL stores).
type WriterStore interface {
	gate.Store
	WriterStats() (batch.Snapshot, bool)
}

// RunWriterStats checks s's writer counts: each decision recorded alone is
// a batch of its own, and the writer's busy time grows with them.
func RunWriterStats(t *testing.T, s WriterStore) {
	t.Helper()
	for i := range 3 {
		d := NewDecision("client-a", fmt.Sprintf("msg_stats_%d", i), fmt.Sprintf("OSS-%d", i))
		if _, _, err := s.RecordDecision(t.Context(), d); err != nil {
			t.Fatal(err)
		}
	}
	// The writer counts a batch just after it has answered its callers, so
	// the last count may come a moment after the last answer.
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, ok := s.WriterStats()
		if ok && st.Batches == 3 && st.Decisions == 3 && st.Busy > 0 {
			return
		}
		if !ok || st.Batches > 3 || time.Now().After(deadline) {
			t.Fatalf("WriterStats = %+v, %v; want 3 batches of one decision and some busy time", st, ok)
		}
		runtime.Gosched()
	}
}
