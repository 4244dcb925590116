package main

// Load tests: a documented load command, not unit tests. They run only when
// asked, report figures with t.Logf and assert nothing about timing:
//
//	JKNGATE_LOAD=1 go test -run Load -v -count=1 ./cmd/jkngate
//
// Each starts the real program (run serve, SQLite, in-process cache) against
// the BPJS simulator and fires signed webhooks over loopback from a bounded
// pool of client workers sharing one http.Client.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// Load parameters.
const (
	loadWebhooks    = 1000
	loadWorkers     = 200 // client workers of the breaker run's first burst
	loadFewWorkers  = 4   // ... and of its second: no queueing at the client
	loadSimLatency  = 200 * time.Millisecond
	loadMaxInFlight = 64 // > rate * loadSimLatency, so the rate is the bound
	loadBudget      = 3 * time.Second
)

// loadRate is JKNGATE_BPJS_RATE for the cold-company and breaker runs: 200
// calls/s, or JKNGATE_LOAD_RATE. The cache's burst is the rate rounded up
// (not configurable by environment), so in any span t at most
// burst + rate*t calls go to BPJS.
func loadRate(t *testing.T) (rate float64, burst int64) {
	t.Helper()
	rate = 200
	if v := os.Getenv("JKNGATE_LOAD_RATE"); v != "" {
		var err error
		if rate, err = strconv.ParseFloat(v, 64); err != nil || !(rate > 0) {
			t.Fatalf("JKNGATE_LOAD_RATE=%q: want a positive number", v)
		}
	}
	return rate, int64(math.Ceil(rate))
}

// startLimitedGate starts the gate of the cold-company and breaker runs:
// BPJS called at loadRate, at most loadMaxInFlight at once, webhooks
// answered within loadBudget. It returns the rate and burst with it.
func startLimitedGate(t *testing.T) (g *gateUnderTest, rate float64, burst int64) {
	t.Helper()
	rate, burst = loadRate(t)
	g = startGate(t, "JKNGATE_BPJS_RATE", fmt.Sprint(rate),
		"JKNGATE_BPJS_MAX_IN_FLIGHT", fmt.Sprint(loadMaxInFlight),
		"JKNGATE_WEBHOOK_BUDGET", loadBudget.String())
	return g, rate, burst
}

// loadWarmNIB is the company the cold-company and breaker runs warm the
// connections with; it is left out of their cold companies.
const loadWarmNIB = "9990000000000"

func requireLoad(t *testing.T) {
	t.Helper()
	if os.Getenv("JKNGATE_LOAD") != "1" {
		t.Skip("load test: run with JKNGATE_LOAD=1 go test -run Load -v -count=1 ./cmd/jkngate")
	}
}

// loadClient sends signed webhooks to one gate over a shared connection pool.
type loadClient struct {
	url    string
	client *http.Client
	secret standardwebhooks.Secret
}

func newLoadClient(t *testing.T, g *gateUnderTest, conns int) *loadClient {
	t.Helper()
	secret, err := standardwebhooks.ParseSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute}
	t.Cleanup(tr.CloseIdleConnections)
	return &loadClient{url: g.base + "/v1/webhooks/oss", secret: secret,
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// loadResult is one webhook's answer and how long it took, from sending the
// request to having read the whole body.
type loadResult struct {
	status  int
	outcome string
	codes   string
	source  string
	latency time.Duration
	err     error
}

func (c *loadClient) send(webhookID string, body []byte) loadResult {
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return loadResult{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	standardwebhooks.SetHeaders(req.Header, c.secret, webhookID, time.Now(), body)
	start := time.Now()
	resp, err := c.client.Do(req)
	if err != nil {
		return loadResult{err: err, latency: time.Since(start)}
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	r := loadResult{status: resp.StatusCode, latency: time.Since(start), err: err}
	var d decisionDoc
	if json.Unmarshal(raw, &d) == nil {
		r.outcome, r.codes, r.source = d.Outcome, d.codes(), d.Evidence.Source
	}
	return r
}

// loadRun is one burst of webhooks and its results, in sending order.
type loadRun struct {
	results []loadResult
	wall    time.Duration
}

// fire sends one webhook per application from workers goroutines at once and
// waits for every answer. Bodies are built before the clock starts.
func (c *loadClient) fire(t *testing.T, prefix string, workers int, apps []map[string]any) loadRun {
	t.Helper()
	bodies := make([][]byte, len(apps))
	for i, app := range apps {
		b, err := json.Marshal(map[string]any{"type": "application.submitted", "data": app})
		if err != nil {
			t.Fatal(err)
		}
		bodies[i] = b
	}
	run := loadRun{results: make([]loadResult, len(apps))}
	next := make(chan int, len(apps))
	for i := range apps {
		next <- i
	}
	close(next)
	var ready, wg sync.WaitGroup
	start := make(chan struct{})
	ready.Add(workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ready.Done()
			<-start
			for i := range next {
				run.results[i] = c.send(fmt.Sprintf("%s_%d", prefix, i), bodies[i])
			}
		}()
	}
	ready.Wait()
	t0 := time.Now()
	close(start)
	wg.Wait()
	run.wall = time.Since(t0)
	return run
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted durations; 0 for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// tally counts values as "k=n k=n", keys sorted.
func tally(values []string) string {
	counts := map[string]int{}
	for _, v := range values {
		if v == "" {
			v = "-"
		}
		counts[v]++
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, counts[k]))
	}
	return strings.Join(parts, " ")
}

func count(results []loadResult, f func(loadResult) bool) int {
	n := 0
	for _, r := range results {
		if f(r) {
			n++
		}
	}
	return n
}

// report logs the run's figures and the simulator's call counts.
func (run loadRun) report(t *testing.T, name string, workers int, sim bpjssim.Stats) {
	t.Helper()
	var statuses, outcomes, sources, decisions, errs []string
	lat := make([]time.Duration, 0, len(run.results))
	for _, r := range run.results {
		statuses = append(statuses, fmt.Sprint(r.status))
		outcomes = append(outcomes, r.outcome)
		sources = append(sources, r.source)
		decisions = append(decisions, r.outcome+"/"+strings.ReplaceAll(r.codes, ",", "+"))
		if r.err != nil {
			errs = append(errs, r.err.Error())
		}
		lat = append(lat, r.latency)
	}
	slices.Sort(lat)
	n := len(run.results)
	t.Logf("%s: %d webhooks, %d client workers, wall %v, throughput %.0f webhooks/s",
		name, n, workers, run.wall.Round(time.Millisecond), float64(n)/run.wall.Seconds())
	t.Logf("%s: status %s", name, tally(statuses))
	t.Logf("%s: outcome %s", name, tally(outcomes))
	t.Logf("%s: decision %s", name, tally(decisions))
	t.Logf("%s: evidence source %s", name, tally(sources))
	t.Logf("%s: latency p50 %v p90 %v p99 %v max %v", name,
		percentile(lat, 50).Round(10*time.Microsecond), percentile(lat, 90).Round(10*time.Microsecond),
		percentile(lat, 99).Round(10*time.Microsecond), percentile(lat, 100).Round(10*time.Microsecond))
	t.Logf("%s: simulator employer calls %d, participant calls %d", name, sim.EmployerCalls, sim.ParticipantCalls)
	if len(errs) > 0 {
		t.Errorf("%s: %d requests failed, first: %s", name, len(errs), errs[0])
	}
}

// warmUp sends one webhook (an unregistered company) so that the first
// connection, statements and pools exist before the clock starts, then
// zeroes the simulator's counts.
func warmUp(t *testing.T, c *loadClient, g *gateUnderTest, nib string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"type": "application.submitted", "data": coldApplication("APP-warmup", nib, "3171", 1)})
	if r := c.send("msg_warmup", body); r.err != nil || r.status != http.StatusOK {
		t.Fatalf("warm-up webhook: HTTP %d %v", r.status, r.err)
	}
	g.sim.ResetStats()
}

// coldApplication is an application without a worker list: only the
// employer is looked up.
func coldApplication(appID, nib, region string, declared int) map[string]any {
	return map[string]any{"application_id": appID, "nib": nib, "region_code": region,
		"permit_type": "business_license", "declared_workers": declared}
}

// coldCompanies returns n applications for distinct companies the gate has
// never looked up: every registered employer of the simulator (without the
// worker list), then its unregistered NIBs, then random valid NIBs starting
// 999 (the simulator's own start 912), which it answers code 201 "not
// registered". skip companies are left out (used already). The order is
// shuffled with a fixed seed so that each kind is spread over the burst.
func coldCompanies(data bpjssim.Data, n int, seed uint64, skip map[string]bool) (apps []map[string]any, mix string) {
	var registered, unregistered, random int
	add := func(nib, region string, declared int) {
		if len(apps) < n && !skip[nib] {
			apps = append(apps, coldApplication(fmt.Sprintf("APP-load-%s", nib), nib, region, declared))
			skip[nib] = true
		}
	}
	for _, e := range data.Employers {
		add(e.NIB, e.RegionCode, e.DeclaredWorkers)
	}
	registered = len(apps)
	for i, nib := range data.UnregisteredNIBs {
		add(nib, data.Employers[i%len(data.Employers)].RegionCode, 3)
	}
	unregistered = len(apps) - registered
	rng := rand.New(rand.NewPCG(seed, 0x6c6f6164))
	for i := 0; len(apps) < n; i++ {
		add(fmt.Sprintf("999%010d", rng.IntN(1e10)), data.Employers[i%len(data.Employers)].RegionCode, 1+rng.IntN(50))
	}
	random = len(apps) - registered - unregistered
	rng.Shuffle(len(apps), func(i, j int) { apps[i], apps[j] = apps[j], apps[i] })
	mix = fmt.Sprintf("%d registered employers (no worker list), %d listed unregistered NIBs, %d random unregistered NIBs",
		registered, unregistered, random)
	return apps, mix
}

// TestLoadCoalescing: with BPJS at 200 ms, 1,000 webhooks for one uncached
// company, all in flight at once, make exactly one employer call.
func TestLoadCoalescing(t *testing.T) {
	requireLoad(t)
	g := startGate(t, "JKNGATE_WEBHOOK_BUDGET", loadBudget.String())
	data := g.sim.Data()
	e, _ := data.Pick(bpjssim.ScenarioCompliant)
	c := newLoadClient(t, g, loadWebhooks)
	warmUp(t, c, g, data.UnregisteredNIBs[0])
	if err := g.sim.SetFaults(bpjssim.Faults{Latency: loadSimLatency}); err != nil {
		t.Fatal(err)
	}
	apps := make([]map[string]any, loadWebhooks)
	for i := range apps {
		apps[i] = applicationOf(e, fmt.Sprintf("APP-coalesce-%d", i))
	}
	workers := loadWebhooks // every webhook in flight at once
	t.Logf("coalescing: simulator latency %v, budget %v, one compliant company with %d listed workers",
		loadSimLatency, loadBudget, len(e.Workers))
	run := c.fire(t, "msg_coalesce", workers, apps)
	stats := g.sim.Stats()
	run.report(t, "coalescing", workers, stats)

	// A second call means a lookup missed the cache while the first call was
	// under way and asked for a flight only after it had ended.
	if stats.EmployerCalls != 1 {
		t.Errorf("employer calls = %d, want exactly 1", stats.EmployerCalls)
	}
	if n := count(run.results, func(r loadResult) bool { return r.status != http.StatusOK || r.outcome != "allow" }); n > 0 {
		t.Errorf("%d of %d answers were not HTTP 200 allow", n, len(run.results))
	}
}

// TestLoadColdCompanies: with BPJS at 200 ms, 1,000 webhooks for 1,000
// distinct cold companies call BPJS no faster than the configured rate (plus
// the burst); what the rate leaves no room for within the budget is answered
// review REGISTRY_UNAVAILABLE, in time.
func TestLoadColdCompanies(t *testing.T) {
	requireLoad(t)
	g, rate, burst := startLimitedGate(t)
	data := g.sim.Data()
	c := newLoadClient(t, g, loadWebhooks)
	apps, mix := coldCompanies(data, loadWebhooks, 1, map[string]bool{loadWarmNIB: true})
	warmUp(t, c, g, loadWarmNIB)
	if err := g.sim.SetFaults(bpjssim.Faults{Latency: loadSimLatency}); err != nil {
		t.Fatal(err)
	}
	t.Logf("cold: simulator latency %v, budget %v, rate %v/s (burst %d), max in flight %d; companies: %s",
		loadSimLatency, loadBudget, rate, burst, loadMaxInFlight, mix)

	workers := loadWebhooks // every webhook in flight at once: the budget's worst case
	start := time.Now()
	run := c.fire(t, "msg_cold", workers, apps)
	// Calls already started are counted; wait for the in-flight ones to be
	// answered and count that settling time in the window.
	if !waitFor(loadSimLatency+10*time.Second, 10*time.Millisecond, func() bool { return g.sim.Stats().InFlight == 0 }) {
		t.Fatalf("BPJS calls still in flight %v after the last webhook", loadSimLatency+10*time.Second)
	}
	window := time.Since(start)
	stats := g.sim.Stats()
	run.report(t, "cold", workers, stats)

	calls := stats.EmployerCalls + stats.ParticipantCalls
	bound := burst + int64(math.Ceil(rate*window.Seconds()))
	unavailable := count(run.results, func(r loadResult) bool { return strings.Contains(r.codes, "REGISTRY_UNAVAILABLE") })
	t.Logf("cold: BPJS calls %d in %v (burst + settling) = %.0f/s observed; the token bucket allows at most %d in that span (burst %d + %v/s); REGISTRY_UNAVAILABLE (employer answer not in within the budget) %d",
		calls, window.Round(time.Millisecond), float64(calls)/window.Seconds(), bound, burst, rate, unavailable)

	if n := count(run.results, func(r loadResult) bool { return r.status != http.StatusOK || r.outcome == "" }); n > 0 {
		t.Errorf("%d of %d answers were not HTTP 200 with a decision", n, len(run.results))
	}
	if stats.EmployerCalls > loadWebhooks {
		t.Errorf("employer calls = %d, more than one per company (%d)", stats.EmployerCalls, loadWebhooks)
	}
	if calls > bound {
		t.Errorf("BPJS calls = %d in %v, above the rate limit's %d", calls, window, bound)
	}
}

// TestLoadBreakerOpen: with BPJS down and the breaker open, 1,000 webhooks for
// cold companies are answered review REGISTRY_UNAVAILABLE without calling
// BPJS (beyond half-open probes) and without waiting for a BPJS timeout.
func TestLoadBreakerOpen(t *testing.T) {
	requireLoad(t)
	g, rate, _ := startLimitedGate(t)
	data := g.sim.Data()
	c := newLoadClient(t, g, loadWorkers)
	const tripMax = 60
	apps, mix := coldCompanies(data, tripMax+2*loadWebhooks, 2, map[string]bool{loadWarmNIB: true})
	trip, apps := apps[:tripMax], apps[tripMax:]
	warmUp(t, c, g, loadWarmNIB)

	// Trip the breaker: sequential webhooks with BPJS down until one is
	// answered without a BPJS call.
	if err := g.sim.SetFaults(bpjssim.Faults{Outage: true}); err != nil {
		t.Fatal(err)
	}
	tripped := false
	var tripLat []time.Duration
	for i, app := range trip {
		before := g.sim.Stats().EmployerCalls
		body, _ := json.Marshal(map[string]any{"type": "application.submitted", "data": app})
		r := c.send(fmt.Sprintf("msg_trip_%d", i), body)
		tripLat = append(tripLat, r.latency)
		if r.status != http.StatusOK || r.codes != "REGISTRY_UNAVAILABLE" {
			t.Fatalf("trip webhook %d with BPJS down: HTTP %d %s %s %v", i, r.status, r.outcome, r.codes, r.err)
		}
		if g.sim.Stats().EmployerCalls == before {
			tripped = true
			t.Logf("breaker: open after %d webhooks (%d employer calls reached the simulator); trip latencies %v",
				i+1, before, tripLat)
			break
		}
	}
	if !tripped {
		t.Fatalf("the breaker did not open after %d webhooks with BPJS down", len(trip))
	}

	t.Logf("breaker: simulator in outage, rate %v/s, budget %v; %d cold companies out of: %s",
		rate, loadBudget, 2*loadWebhooks, mix)

	// Two bursts of distinct cold companies: many client workers (the
	// latency includes queueing in the gate), then few (about the cost of
	// one webhook).
	for i, workers := range []int{loadWorkers, loadFewWorkers} {
		name := fmt.Sprintf("breaker-open/%d-workers", workers)
		g.sim.ResetStats()
		run := c.fire(t, fmt.Sprintf("msg_open%d", i), workers, apps[i*loadWebhooks:(i+1)*loadWebhooks])
		stats := g.sim.Stats()
		run.report(t, name, workers, stats)

		if n := count(run.results, func(r loadResult) bool {
			return r.status != http.StatusOK || r.outcome != "review" || r.codes != "REGISTRY_UNAVAILABLE"
		}); n > 0 {
			t.Errorf("%s: %d of %d answers were not HTTP 200 review REGISTRY_UNAVAILABLE", name, n, len(run.results))
		}
		// The breaker's open timeout (30s) outlasts both bursts; at most
		// the half-open probes (3) may reach BPJS.
		if calls := stats.EmployerCalls + stats.ParticipantCalls; calls > 3 {
			t.Errorf("%s: BPJS calls during the burst = %d, want at most the 3 half-open probes", name, calls)
		}
	}
}
