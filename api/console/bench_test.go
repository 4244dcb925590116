package console_test

import (
	"fmt"
	"net/http"
	"os"
	"testing"
)

// BenchmarkDecisionsPage renders the decisions page (a page of 50, server
// side: session, store query, access trail, template) for an admin filtering
// by regency and outcome, and for a province officer without filters. With
// JKNGATE_BENCH_CONSOLE_DB it runs on that database (the 1,000,000-decision
// one that integrations/sqlite's TestWriteBenchDatabase writes, once):
//
//	JKNGATE_BENCH_DB_OUT=/tmp/jkngate-1m.db go test ./integrations/sqlite -run TestWriteBenchDatabase -v
//	JKNGATE_BENCH_CONSOLE_DB=/tmp/jkngate-1m.db go test ./api/console -run '^$' -bench DecisionsPage -benchtime 3s
//
// Without it, on 600 decisions made here.
func BenchmarkDecisionsPage(b *testing.B) {
	path := os.Getenv("JKNGATE_BENCH_CONSOLE_DB")
	e := newEnv(b, path)
	if path == "" {
		for i := range 600 {
			region := []string{"1275", "1271", "3573"}[i%3]
			e.submit(b, fmt.Sprintf("APP-%d", i), fmt.Sprintf("91200000%05d", i), region)
		}
	}
	admin, officer := e.signIn(b, 2), e.signIn(b, 1)
	for _, c := range []struct {
		name, target string
		who          *http.Cookie
	}{
		{"admin/region+outcome", "/console/decisions?region=1275&outcome=deny", admin},
		{"province-officer/all", "/console/decisions", officer},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if w := e.do(b, http.MethodGet, c.target, nil, c.who); w.Code != http.StatusOK {
					b.Fatalf("HTTP %d", w.Code)
				}
			}
		})
	}
}
