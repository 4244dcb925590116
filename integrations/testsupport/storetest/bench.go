package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/jkngate/jkngate/gate"
)

// The stores' RecordDecision benchmarks record new decisions: each a new
// delivery, one in ten superseding an earlier decision of its application.

// BenchApplication is the application of the benchmarks' decision i: its
// own, except for one decision in ten, which goes to the application of a
// decision made long before (about i/2), so that it supersedes it. (Until
// 2026-11-30 decision i went to application i/10: nine in ten superseded the
// decision just before, which concurrent writers then waited for.)
func BenchApplication(i int64) string {
	if i%10 == 9 {
		j := i / 2
		return fmt.Sprintf("OSS-%d", j-j%10) // a multiple of 10: its own application
	}
	return fmt.Sprintf("OSS-%d", i)
}

// BenchRecordDecision records one new decision per iteration of b's loop.
func BenchRecordDecision(b *testing.B, s gate.Store) {
	var i int64
	for b.Loop() {
		d := NewDecision("client-a", fmt.Sprintf("msg_%d", i), BenchApplication(i))
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
			d := NewDecision("client-a", fmt.Sprintf("msg_%d", i), BenchApplication(i))
			if _, created, err := s.RecordDecision(b.Context(), d); err != nil || !created {
				b.Errorf("RecordDecision: created %v, %v", created, err)
				return
			}
		}
	})
}
