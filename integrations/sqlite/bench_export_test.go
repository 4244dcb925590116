package sqlite

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"
)

// TestWriteBenchDatabase writes BenchmarkListDecisions' database (1,000,000
// decisions, or JKNGATE_BENCH_DECISIONS) to the file JKNGATE_BENCH_DB_OUT,
// once, for benchmarks of other packages (the console's decisions page):
//
//	JKNGATE_BENCH_DB_OUT=/tmp/jkngate-1m.db go test ./integrations/sqlite -run TestWriteBenchDatabase -v
//
// Skipped when the variable is not set.
func TestWriteBenchDatabase(t *testing.T) {
	out := os.Getenv("JKNGATE_BENCH_DB_OUT")
	if out == "" {
		t.Skip("set JKNGATE_BENCH_DB_OUT=FILE to write the benchmark database")
	}
	n := 1_000_000
	if v := os.Getenv("JKNGATE_BENCH_DECISIONS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 2 {
			t.Fatalf("JKNGATE_BENCH_DECISIONS=%q: want a number of at least 2", v)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatalf("%s exists; remove it first", out)
	}
	start := time.Now()
	if err := buildBenchDB(context.Background(), out, n); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d decisions to %s in %v", n, out, time.Since(start).Round(time.Millisecond))
}
