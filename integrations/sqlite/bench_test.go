package sqlite

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// BenchmarkRecordDecision measures recording new decisions (each a new
// delivery; one in ten supersedes an earlier decision of its application),
// with synchronous=FULL, so one fsync per decision. The figure depends on
// the disk under $TMPDIR.
//
//	go test ./integrations/sqlite -run '^$' -bench RecordDecision -benchtime 2s
func BenchmarkRecordDecision(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		s, _ := openTemp(b)
		i := 0
		for b.Loop() {
			d := storetest.NewDecision("client-a", fmt.Sprintf("msg_%d", i), fmt.Sprintf("OSS-%d", i/10))
			i++
			if _, created, err := s.RecordDecision(b.Context(), d); err != nil || !created {
				b.Fatalf("RecordDecision: created %v, %v", created, err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) { benchParallel(b, 1) })
	// 8×GOMAXPROCS goroutines: concurrent decisions share group commits.
	b.Run("parallel8x", func(b *testing.B) { benchParallel(b, 8) })
}

func benchParallel(b *testing.B, p int) {
	{
		s, _ := openTemp(b)
		var n atomic.Int64
		b.SetParallelism(p)
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
}
