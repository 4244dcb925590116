package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// unavailableAnswer is what a webhook got when its store did not answer.
type unavailableAnswer struct {
	status     int
	code       string
	retryAfter string
}

// postGuarded sends a signed webhook like post, but gives up after guard
// (failing the test): the gate must answer by then, whatever its store
// does. The guard is a bound against hanging, not a measure of speed.
func (g *gateUnderTest) postGuarded(t *testing.T, webhookID string, data map[string]any, guard time.Duration) unavailableAnswer {
	t.Helper()
	req := g.webhookRequest(t, webhookID, data)
	start := time.Now()
	resp, err := (&http.Client{Timeout: guard}).Do(req)
	t.Logf("answered in %s (guard %s)", time.Since(start).Round(time.Millisecond), guard) // reported, not asserted
	if err != nil {
		t.Fatalf("the webhook was not answered within %s: %v", guard, err)
	}
	defer resp.Body.Close()
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&e)
	return unavailableAnswer{status: resp.StatusCode, code: e.Error.Code, retryAfter: resp.Header.Get("Retry-After")}
}

func (a unavailableAnswer) check(t *testing.T) {
	t.Helper()
	if a.status != http.StatusServiceUnavailable || a.code != "store_unavailable" || a.retryAfter == "" {
		t.Fatalf("answer %d %q, Retry-After %q; want 503 store_unavailable with Retry-After", a.status, a.code, a.retryAfter)
	}
}

// With PostgreSQL behind a black hole (connections accepted, nothing ever
// answered), a webhook is answered 503 store_unavailable with Retry-After
// once its budget plus the recording margin has passed, instead of hanging
// until the network comes back; /readyz answers 503.
func TestWebhookOnBlackHoledPostgresAnswersUnavailable(t *testing.T) {
	env := pgEnv(t)
	pu, err := url.Parse(env[1])
	if err != nil {
		t.Fatal(err)
	}
	proxy := storetest.NewProxy(t, pu.Host)
	pu.Host = proxy.Addr()
	const budget = 500 * time.Millisecond
	g := startGate(t, "JKNGATE_DATABASE_URL", pu.String(), "JKNGATE_WEBHOOK_BUDGET", budget.String())
	// Release the black hole before the gate stops (cleanups run last
	// registered first), so its shutdown does not wait on it.
	t.Cleanup(proxy.Close)

	e, _ := g.sim.Data().Pick(bpjssim.ScenarioCompliant)
	if status, d := g.post(t, "msg_before", applicationOf(e, "APP-pg-1")); status != http.StatusOK || d.DecisionID == "" {
		t.Fatalf("before the black hole: %d %+v", status, d)
	}
	proxy.BlackHole()
	g.postGuarded(t, "msg_during", applicationOf(e, "APP-pg-2"), 10*budget).check(t)
	// Readiness says so too, within its own check timeout.
	if status, body := g.get(t, "/readyz"); status != http.StatusServiceUnavailable {
		t.Fatalf("readyz on a black-holed store: %d %s, want 503", status, body)
	}
}

// While another process holds SQLite's write lock, a webhook is answered
// 503 store_unavailable with Retry-After within its budget plus the
// recording margin (the busy wait is interrupted), and records nothing: the
// same delivery, retried once the lock is released, gets its decision.
func TestWebhookWhileTheSQLiteWriteLockIsHeldAnswersUnavailable(t *testing.T) {
	const budget = 300 * time.Millisecond
	g := startGate(t, "JKNGATE_WEBHOOK_BUDGET", budget.String())
	e, _ := g.sim.Data().Pick(bpjssim.ScenarioCompliant)
	if status, _ := g.post(t, "msg_warm", applicationOf(e, "APP-lite-1")); status != http.StatusOK {
		t.Fatalf("before the lock: %d", status)
	}

	holder, err := sql.Open("sqlite", g.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	ctx := context.Background()
	conn, err := holder.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	// 10x the budget is shorter than the store's 5 s busy_timeout: only
	// the webhook's own deadline can end the wait in time.
	g.postGuarded(t, "msg_locked", applicationOf(e, "APP-lite-2"), 10*budget).check(t)

	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if status, d := g.post(t, "msg_locked", applicationOf(e, "APP-lite-2")); status != http.StatusOK || d.DecisionID == "" {
		t.Fatalf("after the lock was released: %d %+v", status, d)
	}
}
