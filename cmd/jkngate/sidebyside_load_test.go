package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// TestLoadSideBySide measures jkngate on each store against the naive
// servers the throughput goal is set by, on this machine, with the same
// load generator (jkngate bench's runBench) driving every target the same
// way, interleaved:
//
//	JKNGATE_LOAD=1 go test -run LoadSideBySide -v -count=1 ./cmd/jkngate
//
// The naive servers are bare Echo + the Standard Webhooks HMAC check + one
// INSERT per request, autocommit: into PostgreSQL, and into SQLite in WAL
// mode with synchronous=FULL. jkngate runs with BPJS data cached (a warm-up
// pass over every simulated employer first). For each target: closed loop
// at 16 senders (decisions/s; the median of JKNGATE_LOAD_ROUNDS rounds,
// default 3) and open loop at 1,000/s (p99, latency from the scheduled
// time). Everything (load generator, servers, PostgreSQL) shares the
// machine's cores, so the figures are for comparison, not capacity.
func TestLoadSideBySide(t *testing.T) {
	requireLoad(t)
	secret, err := standardwebhooks.ParseSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	pgURL := pgEnv(t)[1]
	type target struct {
		name, url string
	}
	gl := startGate(t)
	gp := startGate(t, pgEnv(t)...)
	targets := []target{
		{"naive PostgreSQL (Echo + HMAC + one INSERT, autocommit)", naivePostgres(t, pgURL)},
		{"naive SQLite (Echo + HMAC + one INSERT, WAL, synchronous=FULL)", naiveSQLite(t)},
		{"jkngate, PostgreSQL store", gp.base},
		{"jkngate, SQLite store", gl.base},
	}
	// JKNGATE_LOAD_ONLY=sqlite (say) keeps the targets whose name holds it,
	// e.g. to profile one: go test ... -cpuprofile cpu.out.
	if only := os.Getenv("JKNGATE_LOAD_ONLY"); only != "" {
		targets = slices.DeleteFunc(targets, func(tg target) bool {
			return !strings.Contains(strings.ToLower(tg.name), strings.ToLower(only))
		})
	}
	data := bpjssim.Generate(0)
	for _, tg := range targets {
		if !strings.HasPrefix(tg.name, "jkngate") {
			continue
		}
		warm := benchConfig{target: tg.url + "/v1/webhooks/oss", secret: secret, requests: len(data.Employers),
			concurrency: 8, runID: "warm", timeout: 30 * time.Second}
		if _, err := runBench(t.Context(), warm); err != nil {
			t.Fatal(err)
		}
	}

	rounds := envInt(t, "JKNGATE_LOAD_ROUNDS", 3)
	// JKNGATE_LOAD_CLOSED_ONLY=1 leaves the open-loop phase out
	// (decisions/s only), to see how a round fares without what the
	// previous round's open loop leaves behind.
	openLoop := 3000
	if os.Getenv("JKNGATE_LOAD_CLOSED_ONLY") == "1" {
		openLoop = 0
	}
	gl.sim.ResetStats()
	gp.sim.ResetStats()
	defer func() {
		// Calls here mean some lookups were not cached: the runs paid BPJS.
		t.Logf("BPJS calls during the measured rounds: SQLite gate %+v, PostgreSQL gate %+v", gl.sim.Stats(), gp.sim.Stats())
	}()
	perSecond := make([][]float64, len(targets))
	p99 := make([][]float64, len(targets))
	for round := range rounds {
		for i, tg := range targets {
			c := benchConfig{target: tg.url + "/v1/webhooks/oss", secret: secret, requests: 5000,
				concurrency: 16, runID: fmt.Sprintf("c%d", round), timeout: 30 * time.Second}
			before := cpuNow()
			res, err := runBench(t.Context(), c)
			if err != nil || res.Decisions != res.Requests {
				t.Fatalf("%s: %v %v", tg.name, err, res.ByStatus)
			}
			used := cpuNow().sub(before)
			perSecond[i] = append(perSecond[i], res.PerSecond)
			cost := fmt.Sprintf("CPU per decision: %d µs in this process (load generator and server), %d µs in PostgreSQL",
				used.self.Microseconds()/int64(res.Decisions), used.postgres.Microseconds()/int64(res.Decisions))
			if openLoop == 0 {
				p99[i] = append(p99[i], math.NaN())
				t.Logf("round %d %s: %.0f decisions/s (%s)", round+1, tg.name, perSecond[i][round], cost)
				continue
			}
			c.concurrency, c.rate, c.requests, c.runID = 0, 1000, openLoop, fmt.Sprintf("o%d", round)
			res, err = runBench(t.Context(), c)
			if err != nil {
				t.Fatalf("%s: %v", tg.name, err)
			}
			p99[i] = append(p99[i], res.P99Millis)
			t.Logf("round %d %s: %.0f decisions/s (%s); at 1000/s p99 %.1f ms %v", round+1, tg.name,
				perSecond[i][round], cost, res.P99Millis, res.ByStatus)
		}
	}
	median := func(xs []float64) float64 {
		s := slices.Clone(xs)
		slices.Sort(s)
		return s[len(s)/2]
	}
	if len(targets) < 4 {
		return // the table needs every target
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n| target | decisions/s (16 senders) | p99 at 1,000/s | jkngate's ratio to it |\n|---|---|---|---|\n")
	jkPG, jkLite := median(perSecond[2]), median(perSecond[3])
	ratio := []string{fmt.Sprintf("PostgreSQL store: **%.2f**", jkPG/median(perSecond[0])),
		fmt.Sprintf("SQLite store: **%.2f**", jkLite/median(perSecond[1])), "", ""}
	for i, tg := range targets {
		p := fmt.Sprintf("%.1f ms", median(p99[i]))
		if openLoop == 0 {
			p = "not run"
		}
		fmt.Fprintf(&b, "| %s | %.0f | %s | %s |\n", tg.name, median(perSecond[i]), p, ratio[i])
	}
	fmt.Fprintf(&b, "| Open Policy Agent, equivalent Rego policy over HTTP, no record (not measured here: OPA is not installable on this machine; the issue's figure) | ~4,000 | | PostgreSQL %.2f, SQLite %.2f |\n",
		jkPG/4000, jkLite/4000)
	t.Log(b.String())
}

// naiveHandler is the baseline webhook: bind nothing but the body, check
// the HMAC, run insert, answer JSON.
func naiveHandler(insert func(ctx context.Context, id string, body []byte) error) http.Handler {
	secrets := []standardwebhooks.Secret{}
	if s, err := standardwebhooks.ParseSecret(testSecret); err == nil {
		secrets = append(secrets, s)
	}
	e := echo.New()
	e.HideBanner = true
	e.POST("/v1/webhooks/:client", func(c echo.Context) error {
		body, err := io.ReadAll(io.LimitReader(c.Request().Body, 1<<20))
		if err != nil {
			return c.JSON(http.StatusBadRequest, map[string]string{"code": "bad_body"})
		}
		if err := standardwebhooks.Verify(c.Request().Header, body, secrets, time.Now()); err != nil {
			return c.JSON(http.StatusUnauthorized, map[string]string{"code": "bad_signature"})
		}
		id := c.Request().Header.Get("webhook-id")
		if err := insert(c.Request().Context(), id, body); err != nil {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"code": "store_unavailable"})
		}
		return c.JSON(http.StatusOK, map[string]string{"decision_id": id, "outcome": "allow"})
	})
	return e
}

func naivePostgres(t *testing.T, url string) string {
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(t.Context(), `CREATE TABLE naive (id text PRIMARY KEY, body jsonb NOT NULL, at timestamptz NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(naiveHandler(func(ctx context.Context, id string, body []byte) error {
		_, err := pool.Exec(ctx, `INSERT INTO naive (id, body, at) VALUES ($1, $2, $3)`, id, string(body), time.Now())
		return err
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func naiveSQLite(t *testing.T) string {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "naive.db")+
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // one writer, as SQLite allows
	if _, err := db.Exec(`CREATE TABLE naive (id TEXT PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(naiveHandler(func(ctx context.Context, id string, body []byte) error {
		_, err := db.ExecContext(ctx, `INSERT INTO naive (id, body, at) VALUES (?, ?, ?)`, id, string(body),
			time.Now().UTC().Format(time.RFC3339Nano))
		return err
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
