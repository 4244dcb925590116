package postgres

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/jkngate/jkngate/integrations/storetest"
)

// The benchmarks record new decisions (each a new delivery; one in ten
// supersedes an earlier decision of its application) on a fresh schema of
// the test server, each commit durable (synchronous_commit on, the server's
// default). The figures depend on the server's disk and on its distance:
//
//	go test ./integrations/postgres -run '^$' -bench RecordDecision -benchtime 2s

func BenchmarkRecordDecision(b *testing.B) {
	s := openFresh(b)
	i := 0
	for b.Loop() {
		d := storetest.NewDecision("client-a", fmt.Sprintf("msg_%d", i), fmt.Sprintf("OSS-%d", i/10))
		i++
		if _, created, err := s.RecordDecision(b.Context(), d); err != nil || !created {
			b.Fatalf("RecordDecision: created %v, %v", created, err)
		}
	}
}

// BenchmarkRecordDecisionParallel records from 4×GOMAXPROCS goroutines on one
// store (its pool has the default max(4, NumCPU) connections), as one
// replica under load; commits of concurrent transactions share the WAL
// flushes.
func BenchmarkRecordDecisionParallel(b *testing.B) {
	s := openFresh(b)
	var n atomic.Int64
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			d := storetest.NewDecision("client-a", fmt.Sprintf("msg_%d", i), fmt.Sprintf("OSS-%d", i/10))
			if _, created, err := s.RecordDecision(b.Context(), d); err != nil || !created {
				b.Errorf("RecordDecision: created %v, %v", created, err)
				return
			}
		}
	})
}
