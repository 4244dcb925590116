package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// benchDir holds the benchmarks' databases for the life of the test binary
// (TestMain removes it), so that a database of a million decisions is built
// once however often b.N grows.
var (
	benchDir     string
	benchMu      sync.Mutex
	benchDBs     = map[int]string{}
	benchDirOnce sync.Once
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchDecisionCount is the size of BenchmarkListDecisions' database:
// 1,000,000, or JKNGATE_BENCH_DECISIONS.
func benchDecisionCount(b *testing.B) int {
	if v := os.Getenv("JKNGATE_BENCH_DECISIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			b.Fatalf("JKNGATE_BENCH_DECISIONS=%q: want a number of at least 2", v)
		}
		return n
	}
	if testing.Short() {
		b.Skip("builds a database of 1,000,000 decisions; set JKNGATE_BENCH_DECISIONS for a smaller one")
	}
	return 1_000_000
}

// benchStore returns a store on a migrated database of n decisions, built
// on first use: 50 regencies in 10 provinces, 70% allow, 20% deny, 10%
// review (these with a review), every application decided twice.
func benchStore(b *testing.B, n int) *Store {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	path, ok := benchDBs[n]
	if !ok {
		benchDirOnce.Do(func() {
			var err error
			if benchDir, err = os.MkdirTemp("", "jkngate-bench-"); err != nil {
				b.Fatal(err)
			}
		})
		path = filepath.Join(benchDir, fmt.Sprintf("decisions-%d.db", n))
		start := time.Now()
		if err := buildBenchDB(context.Background(), path, n); err != nil {
			b.Fatalf("build the benchmark database: %v", err)
		}
		b.Logf("built %d decisions in %v", n, time.Since(start).Round(time.Millisecond))
		benchDBs[n] = path
	}
	s, err := Open(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// buildBenchDB inserts n decisions with plain SQL in transactions of 50,000
// rows, without fsyncs: this is setup, not what is measured.
func buildBenchDB(ctx context.Context, path string, n int) error {
	s, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return err
	}
	if _, err := s.writer.ExecContext(ctx, `PRAGMA synchronous = OFF`); err != nil {
		return err
	}
	var regions []string
	for _, p := range []string{"11", "12", "13", "31", "32", "33", "34", "35", "36", "51"} {
		for r := 71; r <= 75; r++ {
			regions = append(regions, p+strconv.Itoa(r))
		}
	}
	const reasons = `[{"code":"WORKERS_UNDER_REGISTERED","outcome":"deny","message":"Baru 40 dari 52 pekerja.","message_en":"Only 40 of 52 workers.","legal_basis":"Perpres 82/2018 Pasal 13","remedy":"Daftarkan 12 pekerja lagi.","details":{"declared":52,"active":40}}]`
	const evidence = `{"source":"live","as_of":"2026-01-01T00:00:00.000000000Z","workers_listed":0,"workers_checked":0}`
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 50_000
	var prevID, nextID string
	for lo := 0; lo < n; lo += batch {
		tx, err := s.writer.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO decisions (id, application_id, nib, region_code,
			permit_type, outcome, reasons, evidence, policy_version, decided_at, valid_until, supersedes,
			superseded_by, review, client_id, webhook_id, callback_url, declared_workers)
			VALUES (?, ?, ?, ?, 'business_license', ?, ?, ?, 'default-2026.11', ?, ?, ?, ?, ?, 'oss', ?,
			'https://oss.example/cb', 52)`)
		if err != nil {
			tx.Rollback()
			return err
		}
		for i := lo; i < min(lo+batch, n); i++ {
			decided := start.Add(time.Duration(i) * 3 * time.Second)
			id := nextID
			if id == "" {
				id = gate.NewDecisionID(decided)
			}
			nextID = ""
			// Every application is decided twice: i even, then i+1, which
			// supersedes it (batches hold whole pairs).
			var supersedes, supersededBy, review any
			if i%2 == 1 {
				supersedes = prevID
			} else if i+1 < n {
				nextID = gate.NewDecisionID(decided.Add(3 * time.Second))
				supersededBy = nextID
			}
			outcome := "allow"
			switch x := rng.IntN(10); {
			case x >= 9:
				outcome = "review"
			case x >= 7:
				outcome = "deny"
			}
			if outcome != "allow" {
				review = `{"state":"open"}`
			}
			_, err := stmt.ExecContext(ctx, id, fmt.Sprintf("OSS-%d", i/2), fmt.Sprintf("91%011d", i/6),
				regions[rng.IntN(len(regions))], outcome, reasons, evidence, formatTime(decided),
				formatTime(decided.AddDate(0, 0, 30)), supersedes, supersededBy, review, "msg_"+id)
			if err != nil {
				tx.Rollback()
				return err
			}
			prevID = id
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	_, err = s.writer.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// BenchmarkListDecisions measures one page (50) of ListDecisions over a
// database of 1,000,000 decisions (JKNGATE_BENCH_DECISIONS overrides; skipped
// with -short unless it is set), and logs each query's plan:
//
//	go test ./integrations/sqlite -run '^$' -bench ListDecisions -benchtime 2s -v
func BenchmarkListDecisions(b *testing.B) {
	n := benchDecisionCount(b)
	s := benchStore(b, n)

	var middle string // the id of a decision about halfway down the listing
	if err := s.readers.QueryRowContext(b.Context(),
		`SELECT id FROM decisions ORDER BY id LIMIT 1 OFFSET ?`, n/2).Scan(&middle); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    gate.DecisionFilter
	}{
		{"region+outcome", gate.DecisionFilter{Scope: gate.Scope{All: true}, Region: "1275", Outcome: gate.OutcomeDeny}},
		{"region+outcome/deep", gate.DecisionFilter{Scope: gate.Scope{All: true}, Region: "1275",
			Outcome: gate.OutcomeDeny, After: middle}},
		{"officer-regency/outcome", gate.DecisionFilter{Scope: gate.Scope{Regions: []string{"3573"}},
			Outcome: gate.OutcomeReview}},
		{"officer-province/region+outcome", gate.DecisionFilter{Scope: gate.Scope{Regions: []string{"12"}},
			Region: "1275", Outcome: gate.OutcomeDeny, HeadsOnly: true}},
		{"officer-province/outcome", gate.DecisionFilter{Scope: gate.Scope{Regions: []string{"12"}},
			Outcome: gate.OutcomeDeny}},
		{"officer-province/province", gate.DecisionFilter{Scope: gate.Scope{Regions: []string{"12"}},
			Region: "12"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.Log(explain(b, s, c.f))
			for b.Loop() {
				ds, err := s.ListDecisions(b.Context(), c.f)
				if err != nil || len(ds) == 0 {
					b.Fatalf("ListDecisions: %d decisions, %v; want a page", len(ds), err)
				}
			}
		})
	}
}

// explain returns ListDecisions' query for f and its EXPLAIN QUERY PLAN.
func explain(b *testing.B, s *Store, f gate.DecisionFilter) string {
	b.Helper()
	q, args := listDecisionsQuery(f)
	rows, err := s.readers.QueryContext(b.Context(), `EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			b.Fatal(err)
		}
		plan.WriteString("\n  " + detail)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	where := q[strings.Index(q, " WHERE "):]
	return fmt.Sprintf("query: ...%s %v\nplan:%s", where, args, plan.String())
}
