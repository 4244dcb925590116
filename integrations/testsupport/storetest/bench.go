package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/jkngate/jkngate/gate"
)

// The stores' RecordDecision benchmarks record new decisions: each a new
// delivery, one in ten superseding an earlier decision of its application.

// BenchRecordDecision records one new decision per iteration of b's loop.
func BenchRecordDecision(b *testing.B, s gate.Store) {
	i := 0
	for b.Loop() {
		d := NewDecision("client-a", fmt.Sprintf("msg_%d", i), fmt.Sprintf("OSS-%d", i/10))
		i++
		if _, created, err := s.RecordDecision(b.Context(), d); err != nil || !created {
			b.Fatalf("RecordDecision: created %v, %v", created, err)
		}
	}
}

// BenchRecordDecisionParallel records new decisions from p×GOMAXPROCS
// goroutines (b.SetParallelism(p)), all on s.
func BenchRecordDecisionParallel(b *testing.B, s gate.Store, p int) {
	var n atomic.Int64
	b.SetParallelism(p)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			d := NewDecision("client-a", fmt.Sprintf("msg_%d", i), fmt.Sprintf("OSS-%d", i/10))
			if _, created, err := s.RecordDecision(b.Context(), d); err != nil || !created {
				b.Errorf("RecordDecision: created %v, %v", created, err)
				return
			}
		}
	})
}
