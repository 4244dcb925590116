package main

import (
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
)

// TestBenchClosedAndOpenLoop drives a real gate with "jkngate bench" both
// ways: every webhook unique and answered 200, each one decision.
func TestBenchClosedAndOpenLoop(t *testing.T) {
	g := startGate(t)
	for _, mode := range [][]string{{"--concurrency", "4"}, {"--rate", "200"}} {
		args := append([]string{"bench", "--url", g.base, "--client", "oss", "--secret", testSecret,
			"--requests", "40", "--json"}, mode...)
		out, err := runOut(t, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", mode, err, out)
		}
		var res benchResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v: not JSON: %v\n%s", mode, err, out)
		}
		if res.Decisions != 40 || res.ByStatus["200"] != 40 || res.PerSecond <= 0 || res.P99Millis < res.P50Millis {
			t.Errorf("%v: %+v, want 40 decisions answered 200", mode, res)
		}
	}
	g.stop(t)
	// A busy timeout, as the other tests that read the gate's file: the
	// read must not fail on a lock held for a moment (seen once under CI).
	db, err := sql.Open("sqlite", "file:"+g.dbPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(DISTINCT webhook_id) FROM webhook_receipts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 80 {
		t.Errorf("%d deliveries recorded, want 80 (unique webhook ids)", n)
	}
}

func TestBenchRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--secret", testSecret},                                       // no client
		{"bench", "--client", "oss"},                                            // no secret
		{"bench", "--client", "oss", "--secret", testSecret, "--requests", "0"}, // nothing to send
	} {
		if _, err := runOut(t, args...); err == nil || !strings.Contains(err.Error(), "bench --help") {
			t.Errorf("%v: err %v, want one pointing at bench --help", args, err)
		}
	}
}
