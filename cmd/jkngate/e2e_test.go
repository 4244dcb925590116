package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
	"github.com/jkngate/jkngate/integrations/sqlite"
)

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" // 24 bytes, test only

const testCacheKey = "Pq0xV3m2k9ZcT8rW1yHnB4sLd6fJg7uAe5iOo2pQr3s=" // 32 bytes, test only

// gateUnderTest is a jkngate serve process started with run on port 0.
type gateUnderTest struct {
	base   string
	dbPath string
	sim    *bpjssim.Server
	cancel context.CancelFunc
	done   chan error
	logs   *syncBuffer // what the process logged (stderr)
}

// startGate starts run("serve") against an in-process simulator, with a
// fresh SQLite file, and waits until it listens. overrides are pairs of
// environment variable and value.
func startGate(t *testing.T, overrides ...string) *gateUnderTest {
	t.Helper()
	sim := bpjssim.New(bpjssim.Config{})
	simSrv := httptest.NewServer(sim.Handler())
	t.Cleanup(simSrv.Close)
	return startReplica(t, sim, simSrv.URL, overrides...)
}

// startReplica starts run("serve") against the given simulator. Without a
// JKNGATE_DATABASE_URL override it gets a fresh SQLite file.
func startReplica(t *testing.T, sim *bpjssim.Server, simURL string, overrides ...string) *gateUnderTest {
	t.Helper()
	creds := sim.Credentials()
	g := &gateUnderTest{sim: sim, dbPath: filepath.Join(t.TempDir(), "gate.db"), done: make(chan error, 1),
		logs: &syncBuffer{}}
	env := map[string]string{
		"JKNGATE_ADDR":              "127.0.0.1:0",
		"JKNGATE_DATABASE_URL":      g.dbPath,
		"JKNGATE_BPJS_URL":          simURL,
		"JKNGATE_BPJS_EMPLOYER_URL": simURL,
		"JKNGATE_BPJS_CONS_ID":      creds.ConsID,
		"JKNGATE_BPJS_SECRET":       creds.Secret,
		"JKNGATE_BPJS_USER_KEY":     creds.UserKey,
		"JKNGATE_BPJS_TIMEOUT":      "1s",
		"JKNGATE_WEBHOOK_CLIENTS":   "oss:" + testSecret,
		"JKNGATE_LOG_LEVEL":         "warn",
		"JKNGATE_BPJS_RATE":         "1000",
	}
	for i := 0; i+1 < len(overrides); i += 2 {
		env[overrides[i]] = overrides[i+1]
	}
	ctx, cancel := context.WithCancel(context.Background())
	g.cancel = cancel
	pr, pw := io.Pipe()
	go func() {
		g.done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, pw, g.logs)
		pw.Close()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "jkngate listening on "); ok {
				addr <- a
			}
		}
	}()
	select {
	case g.base = <-addr:
	case err := <-g.done:
		t.Fatalf("run returned before listening: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("jkngate did not start listening")
	}
	t.Cleanup(func() { g.stop(t) })
	return g
}

func (g *gateUnderTest) stop(t *testing.T) {
	t.Helper()
	if g.cancel == nil {
		return
	}
	g.cancel()
	g.cancel = nil
	if err := <-g.done; err != nil {
		t.Errorf("run returned %v after shutdown", err)
	}
}

type decisionDoc struct {
	DecisionID string  `json:"decision_id"`
	Outcome    string  `json:"outcome"`
	Supersedes *string `json:"supersedes"`
	Reasons    []struct {
		Code string `json:"code"`
	} `json:"reasons"`
	Evidence struct {
		Source string `json:"source"`
	} `json:"evidence"`
}

func (d decisionDoc) codes() string {
	var cs []string
	for _, r := range d.Reasons {
		cs = append(cs, r.Code)
	}
	return strings.Join(cs, ",")
}

// webhookRequest is the application.submitted webhook of data to g, signed
// with the test secret as webhookID, sent now.
func (g *gateUnderTest) webhookRequest(t *testing.T, webhookID string, data map[string]any) *http.Request {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"type": "application.submitted", "data": data})
	req, _ := http.NewRequest(http.MethodPost, g.base+"/v1/webhooks/oss", bytes.NewReader(body))
	secret, err := standardwebhooks.ParseSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	standardwebhooks.SetHeaders(req.Header, secret, webhookID, time.Now(), body)
	return req
}

// post sends a signed application.submitted webhook and decodes the answer.
func (g *gateUnderTest) post(t *testing.T, webhookID string, data map[string]any) (int, decisionDoc) {
	t.Helper()
	resp, err := http.DefaultClient.Do(g.webhookRequest(t, webhookID, data))
	if err != nil {
		t.Fatalf("POST webhook: %v", err)
	}
	defer resp.Body.Close()
	var d decisionDoc
	_ = json.NewDecoder(resp.Body).Decode(&d)
	return resp.StatusCode, d
}

// postCopies posts n copies of one delivery at once, copy i to gateOf(i),
// and returns the decision id each was answered ("" where none).
func postCopies(t *testing.T, n int, gateOf func(i int) *gateUnderTest, webhookID string, app map[string]any) []string {
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			_, d := gateOf(i).post(t, webhookID, app)
			ids[i] = d.DecisionID
		})
	}
	wg.Wait()
	return ids
}

// oneDecision reports whether every copy was answered the same decision.
func oneDecision(ids []string) bool {
	for _, id := range ids {
		if id == "" || id != ids[0] {
			return false
		}
	}
	return true
}

func applicationOf(e bpjssim.Employer, appID string) map[string]any {
	workers := []map[string]string{}
	for _, nik := range e.Workers {
		workers = append(workers, map[string]string{"nik": nik})
	}
	return map[string]any{"application_id": appID, "nib": e.NIB, "region_code": e.RegionCode,
		"permit_type": "business_license", "declared_workers": e.DeclaredWorkers, "workers": workers,
		"bpjs_employer_code": e.ApplicationCode}
}

func TestEndToEndEveryScenario(t *testing.T) {
	g := startGate(t)
	data := g.sim.Data()
	for i, s := range bpjssim.Scenarios {
		e, ok := data.Pick(s)
		if !ok {
			t.Fatalf("simulator has no %s company", s)
		}
		want, reasons, _ := s.Expectation()
		status, d := g.post(t, fmt.Sprintf("msg_%d", i), applicationOf(e, "APP-"+string(s)))
		if status != http.StatusOK || d.Outcome != string(want) || d.codes() != joinCodes(reasons) {
			t.Errorf("%s: HTTP %d outcome %s reasons %s; want %s %s", s, status, d.Outcome, d.codes(), want, joinCodes(reasons))
		}
		if d.Evidence.Source != "live" {
			t.Errorf("%s: evidence source %q, want live", s, d.Evidence.Source)
		}
	}
	status, d := g.post(t, "msg_unregistered", map[string]any{"application_id": "APP-unreg",
		"nib": data.UnregisteredNIBs[0], "region_code": "1275", "permit_type": "tender", "declared_workers": 3})
	if status != http.StatusOK || d.codes() != "EMPLOYER_NOT_REGISTERED" || d.Outcome != "deny" {
		t.Errorf("unregistered: %d %s %s", status, d.Outcome, d.codes())
	}
}

func joinCodes[T ~string](cs []T) string {
	var s []string
	for _, c := range cs {
		s = append(s, string(c))
	}
	return strings.Join(s, ",")
}

func TestEndToEndIdempotencyAndResubmission(t *testing.T) {
	g := startGate(t)
	e, _ := g.sim.Data().Pick(bpjssim.ScenarioCompliant)
	app := applicationOf(e, "APP-dup")

	// Concurrent copies of one delivery: one decision.
	ids := postCopies(t, 20, func(int) *gateUnderTest { return g }, "msg_same", app)
	if !oneDecision(ids) {
		t.Fatalf("concurrent duplicates got decision ids %v, want one", ids)
	}
	// A new delivery for the same application supersedes the first.
	_, d2 := g.post(t, "msg_again", app)
	if d2.DecisionID == ids[0] || d2.Supersedes == nil || *d2.Supersedes != ids[0] {
		t.Fatalf("re-submission: %+v, want a new decision superseding %s", d2, ids[0])
	}

	// Decisions are durable: after shutdown the file holds both.
	g.stop(t)
	st, err := sqlite.Open(context.Background(), g.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, id := range []string{ids[0], d2.DecisionID} {
		if _, err := st.Decision(context.Background(), id); err != nil {
			t.Errorf("decision %s not in the database after shutdown: %v", id, err)
		}
	}
}

func TestEndToEndOutageIsNeverADenial(t *testing.T) {
	g := startGate(t)
	e, _ := g.sim.Data().Pick(bpjssim.ScenarioCompliant)
	for i, f := range []bpjssim.Faults{{Outage: true}, {HTMLRate: 1}, {ErrorRate: 1}, {BadSignatureRate: 1}} {
		if err := g.sim.SetFaults(f); err != nil {
			t.Fatal(err)
		}
		// (A webhook-id is printable ASCII without spaces.)
		status, d := g.post(t, fmt.Sprintf("msg_outage_%d", i), applicationOf(e, "APP-outage"))
		if status != http.StatusOK || d.Outcome != "review" || d.codes() != "REGISTRY_UNAVAILABLE" {
			t.Errorf("fault %+v: HTTP %d %s %s, want review REGISTRY_UNAVAILABLE", f, status, d.Outcome, d.codes())
		}
	}
}

func TestGracefulShutdownFinishesInFlightWebhooks(t *testing.T) {
	g := startGate(t)
	e, _ := g.sim.Data().Pick(bpjssim.ScenarioCompliant)
	if err := g.sim.SetFaults(bpjssim.Faults{Latency: 400 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		status int
		d      decisionDoc
	}
	got := make(chan answer, 1)
	g.sim.ResetStats()
	go func() {
		s, d := g.post(t, "msg_inflight", applicationOf(e, "APP-inflight"))
		got <- answer{s, d}
	}()
	// Stop once the webhook is waiting on the simulator.
	if !waitFor(10*time.Second, 5*time.Millisecond, func() bool { return g.sim.Stats().EmployerCalls > 0 }) {
		t.Fatal("the webhook never reached the simulator")
	}
	g.stop(t)
	a := <-got
	if a.status != http.StatusOK || a.d.Outcome != "allow" {
		t.Fatalf("in-flight webhook during shutdown: HTTP %d %+v", a.status, a.d)
	}
	st, err := sqlite.Open(context.Background(), g.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Decision(context.Background(), a.d.DecisionID); err != nil {
		t.Errorf("the in-flight decision was answered but not recorded: %v", err)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	env := map[string]string{"JKNGATE_WEBHOOK_CLIENTS": "oss:" + testSecret}
	err := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "JKNGATE_BPJS_URL") {
		t.Fatalf("serve without a BPJS URL: %v", err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, func(string) string { return "" }, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "jkngate ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, io.Discard, io.Discard); err == nil {
		t.Fatal("an unknown command must fail")
	}
}

func TestMigrateCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	env := map[string]string{"JKNGATE_DATABASE_URL": db}
	var out bytes.Buffer
	for i := 0; i < 2; i++ { // idempotent
		if err := run(context.Background(), []string{"migrate"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
			t.Fatalf("migrate #%d: %v", i+1, err)
		}
	}
	if !strings.Contains(out.String(), fmt.Sprintf("migrations applied: %d", len(sqlite.MigrationNames()))) {
		t.Errorf("migrate printed %q", out.String())
	}
}

func TestEndToEndBudgetAnswersInTimeAndLookupsFinishInBackground(t *testing.T) {
	g := startGate(t, "JKNGATE_WEBHOOK_BUDGET", "150ms")
	e, _ := g.sim.Data().Pick(bpjssim.ScenarioCompliant)
	app := applicationOf(e, "APP-budget")
	delete(app, "workers")
	if err := g.sim.SetFaults(bpjssim.Faults{Latency: 400 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	g.sim.ResetStats()
	_, d := g.post(t, "msg_budget_1", app)
	if d.Outcome != "review" || d.codes() != "REGISTRY_UNAVAILABLE" {
		t.Fatalf("over budget: %s %s, want review REGISTRY_UNAVAILABLE", d.Outcome, d.codes())
	}
	// The employer call that was started goes on and fills the cache: a
	// later webhook is answered from it without calling BPJS again.
	waitFor(5*time.Second, 50*time.Millisecond, func() bool {
		_, d = g.post(t, fmt.Sprintf("msg_budget_%d", time.Now().UnixNano()), app)
		return d.Outcome == "allow"
	})
	if d.Outcome != "allow" {
		t.Fatalf("after the background lookup: %s, want allow", d.Outcome)
	}
	// (That answer may have joined the background call while it was still
	// under way: source live. The next one is a cache hit.)
	_, d = g.post(t, "msg_budget_last", app)
	if d.Outcome != "allow" || d.Evidence.Source != "cache" {
		t.Fatalf("from the cache: %s from %q, want allow from cache", d.Outcome, d.Evidence.Source)
	}
	if calls := g.sim.Stats().EmployerCalls; calls != 1 {
		t.Errorf("BPJS employer calls = %d, want exactly 1 (the coalesced background one)", calls)
	}
}

func TestRetentionCommand(t *testing.T) {
	g := startGate(t)
	e, _ := g.sim.Data().Pick(bpjssim.ScenarioCompliant)
	_, d := g.post(t, "msg_ret", applicationOf(e, "APP-ret"))
	g.stop(t)
	env := map[string]string{"JKNGATE_DATABASE_URL": g.dbPath, "JKNGATE_RETENTION": "1ns"}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"retention", "run"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "worker data erased from 1 decisions") {
		t.Fatalf("retention printed %q", out.String())
	}
	st, err := sqlite.Open(context.Background(), g.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Decision(context.Background(), d.DecisionID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != "allow" || len(got.Application.Workers) == 0 || !strings.Contains(got.Application.Workers[0].NIK, "****") {
		t.Errorf("after retention: outcome %s, workers %v; want the outcome kept and NIKs masked", got.Outcome, got.Application.Workers)
	}
}
