package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	official "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/config"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/bpjs"
	"github.com/jkngate/jkngate/integrations/callback"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// receiver is a licensing system's callback endpoint that verifies every
// delivery with the official Standard Webhooks library.
type receiver struct {
	mu     sync.Mutex
	events []map[string]any
	bad    int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	wh, _ := official.NewWebhook(testSecret)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	// The test clock runs ahead of real time, so the timestamp is not
	// checked here; the signature over it is.
	if err := wh.VerifyIgnoringTimestamp(body, r.Header); err != nil {
		rc.bad++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var ev map[string]any
	_ = json.Unmarshal(body, &ev)
	rc.events = append(rc.events, ev)
}

// A decision answered while BPJS was down is evaluated again once BPJS
// answers; the new decision supersedes it and the licensing system gets a
// signed decision.updated callback.
func TestRecheckAfterOutageSupersedesAndCallsBack(t *testing.T) {
	ctx := context.Background()
	sim := bpjssim.New(bpjssim.Config{})
	simSrv := httptest.NewServer(sim.Handler())
	defer simSrv.Close()
	rc := &receiver{}
	hook := httptest.NewServer(rc)
	defer hook.Close()

	cfg := config.Default()
	cfg.DatabaseURL = filepath.Join(t.TempDir(), "gate.db")
	cfg.WebhookClients = []config.WebhookClient{{ID: "oss", Secrets: []string{testSecret}}}
	policy := gate.DefaultPolicy()
	c, err := build(ctx, cfg, policy, slog.New(slog.DiscardHandler),
		bpjs.Config{BaseURL: simSrv.URL, EmployerBaseURL: simSrv.URL, Credentials: sim.Credentials()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	clock := time.Now()
	c.gate.Now = func() time.Time { return clock }

	e, _ := sim.Data().Pick(bpjssim.ScenarioCompliant)
	app := gate.Application{ID: "APP-recheck", NIB: e.NIB, RegionCode: e.RegionCode,
		PermitType: gate.PermitBusinessLicense, DeclaredWorkers: e.DeclaredWorkers, CallbackURL: hook.URL}
	if err := sim.SetFaults(bpjssim.Faults{Outage: true}); err != nil {
		t.Fatal(err)
	}
	first, err := c.gate.Submit(ctx, "oss", "msg_1", app)
	if err != nil || !first.HasReason(gate.ReasonRegistryUnavailable) {
		t.Fatalf("during the outage: %v %v, want REGISTRY_UNAVAILABLE", first.Reasons, err)
	}

	// Not due yet: nothing happens.
	if n, err := c.gate.RecheckDue(ctx, c.store, time.Minute, 10); err != nil || n != 0 {
		t.Fatalf("recheck before due: %d, %v", n, err)
	}
	// Due, BPJS still down: backs off, records nothing.
	clock = clock.Add(2 * time.Minute)
	if n, err := c.gate.RecheckDue(ctx, c.store, time.Minute, 10); err != nil || n != 1 {
		t.Fatalf("recheck while down: %d, %v", n, err)
	}
	// BPJS is back: the next due recheck supersedes the decision.
	if err := sim.SetFaults(bpjssim.Faults{}); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(10 * time.Minute)
	if n, err := c.gate.RecheckDue(ctx, c.store, time.Minute, 10); err != nil || n != 1 {
		t.Fatalf("recheck after recovery: %d, %v", n, err)
	}
	all, err := c.store.ListDecisions(ctx, gate.DecisionFilter{Scope: gate.Scope{All: true}, ApplicationID: app.ID})
	if err != nil || len(all) != 2 {
		t.Fatalf("decisions for the application: %d, %v; want 2", len(all), err)
	}
	head := all[0]
	if head.Outcome != gate.OutcomeAllow || head.Supersedes != first.ID {
		t.Fatalf("head = %s %v supersedes %q; want allow superseding %s", head.Outcome, head.Reasons, head.Supersedes, first.ID)
	}

	// The callback goes out signed with the client's first secret.
	secret, _ := standardwebhooks.ParseSecret(testSecret)
	w, err := callback.New(callback.Config{Outbox: c.store, Decisions: c.store, AllowPrivate: true,
		Now:     func() time.Time { return clock },
		Encode:  func(d gate.Decision) ([]byte, error) { return json.Marshal(api.DecisionResponse(d)) },
		Secrets: map[string]standardwebhooks.Secret{"oss": secret}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := w.DeliverDue(ctx); err != nil || n != 1 {
		t.Fatalf("DeliverDue: %d, %v", n, err)
	}
	if rc.bad != 0 || len(rc.events) != 1 {
		t.Fatalf("receiver got %d verified events and %d bad ones", len(rc.events), rc.bad)
	}
	data, _ := rc.events[0]["data"].(map[string]any)
	if rc.events[0]["type"] != "decision.updated" || data["decision_id"] != head.ID || data["supersedes"] != first.ID {
		t.Errorf("callback = %v, want decision.updated for %s superseding %s", rc.events[0], head.ID, first.ID)
	}
	// Nothing is due any more.
	if n, _ := c.gate.RecheckDue(ctx, c.store, time.Minute, 10); n != 0 {
		t.Errorf("the recheck is still queued")
	}
}
