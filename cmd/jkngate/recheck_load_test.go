package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jkngate/jkngate/config"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjs"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// countingRechecks counts the rechecks that finished for good (decision
// superseded, or nothing left to do).
type countingRechecks struct {
	gate.RecheckStore
	done atomic.Int64
}

func (c *countingRechecks) FinishRecheck(ctx context.Context, id string, attempts int, next time.Time) error {
	err := c.RecheckStore.FinishRecheck(ctx, id, attempts, next)
	if err == nil && next.IsZero() {
		c.done.Add(1)
	}
	return err
}

// TestLoadRecheckDrain measures how fast the background recheck drains a
// backlog of REGISTRY_UNAVAILABLE decisions once BPJS is back:
//
//	JKNGATE_LOAD=1 go test -run LoadRecheckDrain -v -count=1 ./cmd/jkngate
//
// It builds the production components (SQLite, in-process cache, default
// JKNGATE_BPJS_RATE of 50/s) against the simulator answering in 100 ms,
// queues JKNGATE_LOAD_RECHECKS (default 3,000) decisions during an outage,
// spread over the simulator's 240 companies, ends the outage, and runs the
// production recheck loop for at most JKNGATE_LOAD_WINDOW (default 5m)
// while live submissions arrive at JKNGATE_LOAD_LIVE_RATE a second (default
// 1), each needing BPJS: its company's cache entries are dropped first, so
// one costs about 26 calls, half the rate limit. It reports rechecks drained
// per minute, BPJS calls, and the live submissions' latency and how many of
// them were answered REGISTRY_UNAVAILABLE.
func TestLoadRecheckDrain(t *testing.T) {
	requireLoad(t)
	n := envInt(t, "JKNGATE_LOAD_RECHECKS", 3000)
	window := 5 * time.Minute
	if v := os.Getenv("JKNGATE_LOAD_WINDOW"); v != "" {
		var err error
		if window, err = time.ParseDuration(v); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim := bpjssim.New(bpjssim.Config{Faults: bpjssim.Faults{Latency: 100 * time.Millisecond}})
	simSrv := httptest.NewServer(sim.Handler())
	defer simSrv.Close()
	cfg := config.Default()
	cfg.DatabaseURL = filepath.Join(t.TempDir(), "gate.db")
	cfg.WebhookClients = []config.WebhookClient{{ID: "oss", Secrets: []string{testSecret}}}
	c, err := build(ctx, cfg, gate.DefaultPolicy(), slog.New(slog.DiscardHandler),
		bpjs.Config{BaseURL: simSrv.URL, EmployerBaseURL: simSrv.URL, Credentials: sim.Credentials(), Timeout: cfg.BPJSTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()

	// The outage: every decision is REGISTRY_UNAVAILABLE and queues a recheck.
	data := sim.Data()
	_ = sim.SetFaults(bpjssim.Faults{Outage: true})
	start := time.Now()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				e := data.Employers[i%len(data.Employers)]
				app := gateApplication(e, fmt.Sprintf("APP-drain-%d", i))
				d, err := c.gate.Submit(ctx, "oss", fmt.Sprintf("msg_drain_%d", i), app)
				if err != nil || !d.HasReason(gate.ReasonRegistryUnavailable) {
					t.Errorf("during the outage: %v %v", d.Reasons, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("queued %d rechecks in %v", n, time.Since(start).Round(time.Millisecond))

	// BPJS is back; wait for the breakers to let calls through again.
	_ = sim.SetFaults(bpjssim.Faults{Latency: 100 * time.Millisecond})
	if !waitFor(5*time.Minute, time.Second, func() bool { // a guard against hanging
		_, errE := c.registry.Employer(ctx, data.Employers[0].NIB)
		_, errP := c.registry.Participant(ctx, data.Employers[0].Workers[0])
		return errE == nil && errP == nil
	}) {
		t.Fatal("the breakers did not let calls through within 5 minutes of BPJS coming back")
	}
	// Every recheck is due now (the first comes a minute after the decision).
	c.gate.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	sim.ResetStats()

	st := &countingRechecks{RecheckStore: c.stores}
	drainCtx, stopDrain := context.WithTimeout(ctx, window)
	defer stopDrain()
	start = time.Now()
	go runRechecksForLoad(drainCtx, c, st)

	// Live traffic while the backlog drains.
	var live []time.Duration
	liveUnavailable := 0
	tick := time.NewTicker(time.Second / time.Duration(envInt(t, "JKNGATE_LOAD_LIVE_RATE", 1)))
	defer tick.Stop()
	var doneAt time.Duration
	for i := 0; drainCtx.Err() == nil; i++ {
		<-tick.C
		e := data.Employers[(i*7)%len(data.Employers)]
		_ = c.registry.InvalidateEmployer(ctx, e.NIB, e.Workers...)
		t0 := time.Now()
		d, err := c.gate.Submit(ctx, "oss", fmt.Sprintf("msg_live_%d", i), gateApplication(e, fmt.Sprintf("APP-live-%d", i)))
		live = append(live, time.Since(t0))
		if err != nil || d.HasReason(gate.ReasonRegistryUnavailable) {
			liveUnavailable++
		}
		if st.done.Load() >= int64(n) {
			doneAt = time.Since(start)
			break
		}
	}
	elapsed := time.Since(start)
	drained := st.done.Load()
	calls := sim.Stats()
	slices.Sort(live)
	t.Logf("drained %d of %d rechecks in %v: %.0f per minute", drained, n, elapsed.Round(time.Second),
		float64(drained)/elapsed.Minutes())
	if doneAt > 0 {
		t.Logf("backlog empty after %v", doneAt.Round(time.Second))
	}
	t.Logf("BPJS calls meanwhile: %d employer, %d participant (%.1f/s; JKNGATE_BPJS_RATE %v)",
		calls.EmployerCalls, calls.ParticipantCalls, float64(calls.EmployerCalls+calls.ParticipantCalls)/elapsed.Seconds(), cfg.BPJSRate)
	if len(live) > 0 {
		t.Logf("live submissions: %d, p50 %v, p99 %v, REGISTRY_UNAVAILABLE %d", len(live),
			live[len(live)/2].Round(time.Millisecond), live[len(live)*99/100].Round(time.Millisecond), liveUnavailable)
	}
}

// gateApplication is applicationOf as a gate.Application.
func gateApplication(e bpjssim.Employer, appID string) gate.Application {
	app := gate.Application{ID: appID, NIB: e.NIB, RegionCode: e.RegionCode,
		PermitType: gate.PermitBusinessLicense, DeclaredWorkers: e.DeclaredWorkers}
	for _, nik := range e.Workers {
		app.Workers = append(app.Workers, gate.Worker{NIK: nik})
	}
	return app
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// runRechecksForLoad runs the recheck loop as serve wires it.
func runRechecksForLoad(ctx context.Context, c *components, st gate.RecheckStore) {
	c.runRechecks(ctx, st)
}
