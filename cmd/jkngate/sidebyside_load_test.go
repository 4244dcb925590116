package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// TestLoadSideBySide measures jkngate on each store against the targets
// the throughput goal is set by, on this machine, with the same load
// generator (jkngate bench's runBench) driving every target the same way,
// interleaved:
//
//	JKNGATE_LOAD=1 go test -run LoadSideBySide -v -count=1 ./cmd/jkngate
//
// Each target is a process of its own, as in production: jkngate is the
// binary built from this package (jkngate serve); the bare Echo server and
// the naive servers are this test binary run again as TestLoadNaiveServer;
// Open Policy Agent is the opa binary (see opaBinary). The load generator
// is this process. The naive servers are bare Echo + the Standard Webhooks
// HMAC check + one INSERT per request, autocommit: into PostgreSQL, and into
// SQLite in WAL mode with synchronous=FULL. OPA evaluates
// testdata/opa/jkngate.rego, the gate's checks in Rego, over the BPJS data
// loaded into it, and records nothing; the run first checks that it
// decides every simulated employer as the gate does. jkngate runs with BPJS
// data cached (a warm-up pass over every simulated employer first). For
// each target: closed loop at 16 senders (decisions/s; the median of
// JKNGATE_LOAD_ROUNDS rounds, default 3) and open loop at 1,000/s (p99,
// latency from the scheduled time), with the CPU each decision cost the
// target's process and PostgreSQL. Everything (load generator, servers,
// PostgreSQL) shares the machine's cores, so the figures are for
// comparison, not capacity.
func TestLoadSideBySide(t *testing.T) {
	requireLoad(t)
	secret, err := standardwebhooks.ParseSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	type target struct {
		name, url string
		path      string // where the webhook goes
		pid       int
		sim       *bpjssim.Server // jkngate's BPJS simulator; nil for the others
	}
	const webhook = "/v1/webhooks/oss"
	gateTarget := func(name, dbURL string) target {
		sim, env := gateProcessEnv(t, dbURL)
		base, cmd := startBinary(t, bin, env)
		return target{name: name, url: base, path: webhook, pid: cmd.Process.Pid, sim: sim}
	}
	naiveTarget := func(name, store, dsn string) target {
		base, pid := startNaive(t, store, dsn)
		return target{name: name, url: base, path: webhook, pid: pid}
	}
	data := bpjssim.Generate(0)
	targets := []target{
		naiveTarget("bare Echo (bind JSON, answer JSON)", "bare", ""),
		naiveTarget("naive PostgreSQL (Echo + HMAC + one INSERT, autocommit)", "postgres", pgEnv(t)[1]),
		naiveTarget("naive SQLite (Echo + HMAC + one INSERT, WAL, synchronous=FULL)", "sqlite",
			filepath.Join(t.TempDir(), "naive.db")),
		gateTarget("jkngate, PostgreSQL store", pgEnv(t)[1]),
		gateTarget("jkngate, SQLite store", filepath.Join(t.TempDir(), "gate.db")),
	}
	// Open Policy Agent, when it can be had (built once from the Go module
	// proxy): the Rego policy is checked to decide every simulated
	// employer as the gate does before it is measured.
	const opaName = "Open Policy Agent (equivalent Rego policy over HTTP, no record)"
	opaMissing := ""
	if opa, err := opaBinary(); err != nil {
		opaMissing = err.Error()
		t.Logf("OPA is not measured: %v", err)
	} else {
		base, pid := startOPA(t, opa, data)
		checkOPA(t, base, data)
		targets = append(targets, target{name: opaName, url: base, path: opaPath, pid: pid})
	}
	// JKNGATE_LOAD_ONLY=sqlite (say) keeps the targets whose name holds it,
	// e.g. to look at one with perf.
	if only := os.Getenv("JKNGATE_LOAD_ONLY"); only != "" {
		targets = slices.DeleteFunc(targets, func(tg target) bool {
			return !strings.Contains(strings.ToLower(tg.name), strings.ToLower(only))
		})
	}
	for _, tg := range targets {
		if tg.sim == nil {
			continue
		}
		warm := benchConfig{target: tg.url + tg.path, secret: secret, requests: len(data.Employers),
			concurrency: 8, runID: "warm", timeout: 30 * time.Second}
		if _, err := runBench(t.Context(), warm); err != nil {
			t.Fatal(err)
		}
		tg.sim.ResetStats()
	}
	defer func() {
		// Calls here mean some lookups were not cached: the runs paid BPJS.
		for _, tg := range targets {
			if tg.sim != nil {
				t.Logf("BPJS calls during the measured rounds, %s: %+v", tg.name, tg.sim.Stats())
			}
		}
	}()

	rounds := envInt(t, "JKNGATE_LOAD_ROUNDS", 3)
	// JKNGATE_LOAD_CLOSED_ONLY=1 leaves the open-loop phase out
	// (decisions/s only), to see how a round fares without what the
	// previous round's open loop leaves behind.
	openLoop := 3000
	if os.Getenv("JKNGATE_LOAD_CLOSED_ONLY") == "1" {
		openLoop = 0
	}
	perSecond := make([][]float64, len(targets))
	p99 := make([][]float64, len(targets))
	serverCPU := make([][]float64, len(targets))
	postgresCPU := make([][]float64, len(targets))
	for round := range rounds {
		for i, tg := range targets {
			c := benchConfig{target: tg.url + tg.path, secret: secret, requests: 5000,
				concurrency: 16, runID: fmt.Sprintf("c%d", round), timeout: 30 * time.Second}
			before := cpuNow(tg.pid)
			res, err := runBench(t.Context(), c)
			if err != nil || res.Decisions != res.Requests {
				t.Fatalf("%s: %v %v", tg.name, err, res.ByStatus)
			}
			used := cpuNow(tg.pid).sub(before)
			perSecond[i] = append(perSecond[i], res.PerSecond)
			n := float64(res.Decisions)
			serverCPU[i] = append(serverCPU[i], float64(used.server.Microseconds())/n)
			postgresCPU[i] = append(postgresCPU[i], float64(used.postgres.Microseconds())/n)
			cost := fmt.Sprintf("CPU per decision: server %.0f µs, PostgreSQL %.0f µs, load generator %.0f µs",
				serverCPU[i][round], postgresCPU[i][round], float64(used.generator.Microseconds())/n)
			if openLoop == 0 {
				p99[i] = append(p99[i], math.NaN())
				t.Logf("round %d %s: %.0f decisions/s (%s)", round+1, tg.name, perSecond[i][round], cost)
				continue
			}
			c.concurrency, c.rate, c.requests, c.runID = 0, 1000, openLoop, fmt.Sprintf("o%d", round)
			busy0, metered := writerBusy(tg.url)
			res, err = runBench(t.Context(), c)
			if err != nil {
				t.Fatalf("%s: %v", tg.name, err)
			}
			p99[i] = append(p99[i], res.P99Millis)
			writer := ""
			if busy1, ok := writerBusy(tg.url); metered && ok {
				writer = fmt.Sprintf(", its writer busy %.0f%%", 100*(busy1-busy0).Seconds()/res.Seconds)
			}
			t.Logf("round %d %s: %.0f decisions/s (%s); at 1000/s p99 %.1f ms%s %v", round+1, tg.name,
				perSecond[i][round], cost, res.P99Millis, writer, res.ByStatus)
		}
	}
	median := func(xs []float64) float64 {
		s := slices.Clone(xs)
		slices.Sort(s)
		return s[len(s)/2]
	}
	by := map[string]float64{} // median decisions/s by target name
	for i, tg := range targets {
		by[tg.name] = median(perSecond[i])
	}
	jkPG, jkLite := by["jkngate, PostgreSQL store"], by["jkngate, SQLite store"]
	if jkPG == 0 || jkLite == 0 {
		return // the table compares with both of jkngate's stores
	}
	ratio := func(name string) string {
		switch {
		case by[name] == 0:
			return ""
		case strings.Contains(name, "naive PostgreSQL"):
			return fmt.Sprintf("PostgreSQL store: **%.2f**", jkPG/by[name])
		case strings.Contains(name, "naive SQLite"):
			return fmt.Sprintf("SQLite store: **%.2f**", jkLite/by[name])
		case strings.HasPrefix(name, "jkngate"):
			return ""
		}
		return fmt.Sprintf("PostgreSQL %.2f, SQLite %.2f", jkPG/by[name], jkLite/by[name])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n| target | decisions/s (16 senders) | p99 at 1,000/s | CPU per decision: server + PostgreSQL | jkngate's ratio to it |\n|---|---|---|---|---|\n")
	for i, tg := range targets {
		p := fmt.Sprintf("%.1f ms", median(p99[i]))
		if openLoop == 0 {
			p = "not run"
		}
		cpu := fmt.Sprintf("%.0f µs", median(serverCPU[i]))
		if strings.Contains(tg.name, "PostgreSQL") {
			cpu += fmt.Sprintf(" + %.0f µs", median(postgresCPU[i]))
		}
		fmt.Fprintf(&b, "| %s | %.0f | %s | %s | %s |\n", tg.name, median(perSecond[i]), p, cpu, ratio(tg.name))
	}
	if opaMissing != "" {
		fmt.Fprintf(&b, "| %s | not measured: OPA could not be built | | | |\n", opaName)
	}
	t.Log(b.String())
}

// writerBusy reads jkngate_store_writer_busy_seconds_total from the
// server's /metrics; ok is false for a server without it (a naive one).
func writerBusy(base string) (busy time.Duration, ok bool) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, found := strings.CutPrefix(sc.Text(), "jkngate_store_writer_busy_seconds_total "); found {
			seconds, err := strconv.ParseFloat(v, 64)
			return time.Duration(seconds * float64(time.Second)), err == nil
		}
	}
	return 0, false
}

// gateProcessEnv is the environment of a jkngate serve process on the
// database dbURL (a PostgreSQL URL or an SQLite file), with a BPJS
// simulator of its own, returned for its call counts.
func gateProcessEnv(t *testing.T, dbURL string) (*bpjssim.Server, []string) {
	t.Helper()
	sim := bpjssim.New(bpjssim.Config{})
	simSrv := httptest.NewServer(sim.Handler())
	t.Cleanup(simSrv.Close)
	creds := sim.Credentials()
	return sim, append(os.Environ(),
		"JKNGATE_DATABASE_URL="+dbURL,
		"JKNGATE_BPJS_URL="+simSrv.URL, "JKNGATE_BPJS_EMPLOYER_URL="+simSrv.URL,
		"JKNGATE_BPJS_CONS_ID="+creds.ConsID, "JKNGATE_BPJS_SECRET="+creds.Secret,
		"JKNGATE_BPJS_USER_KEY="+creds.UserKey, "JKNGATE_BPJS_RATE=1000",
		"JKNGATE_WEBHOOK_CLIENTS=oss:"+testSecret, "JKNGATE_LOG_LEVEL=warn")
}

// startNaive runs a naive server (store "postgres" or "sqlite", on dsn) in a
// process of its own: this test binary, as TestLoadNaiveServer. It returns
// the server's base URL and the process id.
func startNaive(t *testing.T, store, dsn string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadNaiveServer$", "-test.count=1")
	cmd.Env = append(os.Environ(), "JKNGATE_NAIVE_STORE="+store, "JKNGATE_NAIVE_DSN="+dsn)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck // killed
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "naive listening on "); ok {
				addr <- a
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a, cmd.Process.Pid
	case <-time.After(20 * time.Second):
		t.Fatalf("the naive %s server did not start", store)
		return "", 0
	}
}

// TestLoadNaiveServer is not a test: it is a naive server, run by
// TestLoadSideBySide in a process of its own (JKNGATE_NAIVE_STORE set). It
// serves until the process is killed.
func TestLoadNaiveServer(t *testing.T) {
	store, dsn := os.Getenv("JKNGATE_NAIVE_STORE"), os.Getenv("JKNGATE_NAIVE_DSN")
	if store == "" {
		t.Skip("a naive server for TestLoadSideBySide, run by it in a process of its own")
	}
	var h http.Handler
	switch store {
	case "postgres":
		h = naivePostgres(t, dsn)
	case "sqlite":
		h = naiveSQLite(t, dsn)
	case "bare":
		h = bareEcho()
	default:
		t.Fatalf("JKNGATE_NAIVE_STORE=%q: want postgres, sqlite or bare", store)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("naive listening on %s\n", l.Addr())
	t.Fatal(http.Serve(l, h))
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

// bareEcho is the first row of the table: Echo binding the webhook
// JSON and answering JSON, with no check and no record; the ceiling the
// load generator and HTTP put on every target here.
func bareEcho() http.Handler {
	e := echo.New()
	e.HideBanner = true
	e.POST("/v1/webhooks/:client", func(c echo.Context) error {
		var w struct {
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		}
		if err := c.Bind(&w); err != nil {
			return c.JSON(http.StatusBadRequest, map[string]string{"code": "bad_body"})
		}
		return c.JSON(http.StatusOK, map[string]string{"decision_id": c.Request().Header.Get("webhook-id"),
			"outcome": "allow"})
	})
	return e
}

func naivePostgres(t *testing.T, url string) http.Handler {
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(t.Context(), `CREATE TABLE naive (id text PRIMARY KEY, body jsonb NOT NULL, at timestamptz NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return naiveHandler(func(ctx context.Context, id string, body []byte) error {
		_, err := pool.Exec(ctx, `INSERT INTO naive (id, body, at) VALUES ($1, $2, $3)`, id, string(body), time.Now())
		return err
	})
}

func naiveSQLite(t *testing.T, path string) http.Handler {
	db, err := sql.Open("sqlite", path+
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // one writer, as SQLite allows
	if _, err := db.Exec(`CREATE TABLE naive (id TEXT PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return naiveHandler(func(ctx context.Context, id string, body []byte) error {
		_, err := db.ExecContext(ctx, `INSERT INTO naive (id, body, at) VALUES (?, ?, ?)`, id, string(body),
			time.Now().UTC().Format(time.RFC3339Nano))
		return err
	})
}
