package sqlite

import (
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
		storetest.BenchRecordDecision(b, s)
	})
	b.Run("parallel", func(b *testing.B) { benchParallel(b, 1) })
	// 8×GOMAXPROCS goroutines: concurrent decisions share group commits.
	b.Run("parallel8x", func(b *testing.B) { benchParallel(b, 8) })
}

func benchParallel(b *testing.B, p int) {
	s, _ := openTemp(b)
	storetest.BenchRecordDecisionParallel(b, s, p)
}
