package batch

import (
	"sync/atomic"
	"time"
)

// Stats counts a group writer's work, for metrics: the batches it
// committed, the decisions they held and the time they held the writer.
// The writer's busy time over a period is its utilization: near 1, callers
// queue behind it. It is safe for concurrent use.
type Stats struct {
	batches, decisions, busy atomic.Int64
}

// Observe counts one batch of n decisions that held the writer for took.
func (s *Stats) Observe(n int, took time.Duration) {
	s.batches.Add(1)
	s.decisions.Add(int64(n))
	s.busy.Add(int64(took))
}

// Snapshot is Stats at one moment.
type Snapshot struct {
	Batches, Decisions int64
	Busy               time.Duration
}

// Snapshot returns the counts so far.
func (s *Stats) Snapshot() Snapshot {
	return Snapshot{Batches: s.batches.Load(), Decisions: s.decisions.Load(), Busy: time.Duration(s.busy.Load())}
}
