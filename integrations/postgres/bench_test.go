package postgres

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// The benchmarks record new decisions (each a new delivery; one in ten
// supersedes an earlier decision of its application) on a fresh schema of
// the test server, each commit durable (synchronous_commit on, the server's
// default). The figures depend on the server's disk and on its distance:
//
//	go test ./integrations/postgres -run '^$' -bench RecordDecision -benchtime 2s

func BenchmarkRecordDecision(b *testing.B) {
	storetest.BenchRecordDecision(b, openFresh(b))
}

// BenchmarkRecordDecisionParallel records from many goroutines on one
// store (its pool has the default max(4, NumCPU) connections), as one
// replica under load: 4×GOMAXPROCS, and 16 writers whatever GOMAXPROCS is,
// as the side-by-side load test's 16 senders. Concurrent decisions share
// group commits (record_decisions) and so their WAL flushes.
func BenchmarkRecordDecisionParallel(b *testing.B) {
	b.Run("4xprocs", func(b *testing.B) { benchParallel(b, 4) })
	b.Run("16writers", func(b *testing.B) {
		benchParallel(b, (16+runtime.GOMAXPROCS(0)-1)/runtime.GOMAXPROCS(0))
	})
}

func benchParallel(b *testing.B, p int) {
	s := openFresh(b)
	// Warm the pool up first: a new connection's start-up and first
	// statements (plan caches on a fresh schema) are not what is measured.
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			d := storetest.NewDecision("client-a", fmt.Sprintf("warm_%d", i), fmt.Sprintf("WARM-%d", i))
			if _, _, err := s.RecordDecision(b.Context(), d); err != nil {
				b.Errorf("warming up: %v", err)
			}
		})
	}
	wg.Wait()
	b.ResetTimer()
	storetest.BenchRecordDecisionParallel(b, s, p)
}
