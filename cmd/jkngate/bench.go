package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// benchConfig is one load run of "jkngate bench".
type benchConfig struct {
	target      string // the webhook URL
	secret      standardwebhooks.Secret
	seed        int64
	requests    int
	concurrency int     // closed loop: this many senders, each waiting for its answer
	rate        float64 // open loop when > 0: requests per second on a fixed schedule
	runID       string  // makes webhook and application ids unique per run
	timeout     time.Duration
	client      *http.Client
}

// benchResult is what a run measured. Latencies run from each request's
// send time (closed loop) or scheduled time (open loop, so that a stall is
// not hidden by the sender waiting).
type benchResult struct {
	Mode        string         `json:"mode"`
	Requests    int            `json:"requests"`
	Concurrency int            `json:"concurrency,omitempty"`
	Rate        float64        `json:"rate,omitempty"`
	Seconds     float64        `json:"seconds"`
	Decisions   int            `json:"decisions"`
	PerSecond   float64        `json:"decisions_per_second"`
	P50Millis   float64        `json:"p50_ms"`
	P90Millis   float64        `json:"p90_ms"`
	P99Millis   float64        `json:"p99_ms"`
	MaxMillis   float64        `json:"max_ms"`
	ByStatus    map[string]int `json:"by_status"`
	DecisionIDs []string       `json:"-"` // the ids answered with 200, in no order
}

// bench runs "jkngate bench".
func bench(ctx context.Context, args []string, _ func(string) string, stdout, _ io.Writer) error {
	var o sendOptions
	var c benchConfig
	var asJSON bool
	fs := newFlags("bench", "", `Drives a jkngate (or any server taking the same webhook) with unique,
signed application.submitted webhooks built from the BPJS simulator's
scenarios (--seed must match the simulator's so that lookups find their
companies), and prints decisions per second, latency percentiles and
answers by HTTP status.

Closed loop (the default): --concurrency senders, each sending its next
request when answered; measures capacity. Open loop (--rate): requests
leave on a fixed schedule whatever the answers; latency counts from the
scheduled time, so a stall shows in p99 instead of slowing the sender.

example:
  jkngate bench --url http://localhost:8080 --client oss --secret-file oss.secret \
    --requests 20000 --concurrency 16
  jkngate bench --url http://localhost:8080 --client oss --secret-file oss.secret \
    --rate 1000 --requests 10000 --json`)
	fs.StringVar(&o.url, "url", "http://localhost:8080", "jkngate's base URL, or the full webhook URL")
	fs.StringVar(&o.client, "client", "", "webhook client id (required)")
	fs.StringVar(&o.secret, "secret", "", "the client's secret, whsec_... (required, or --secret-file)")
	fs.StringVar(&o.secretFile, "secret-file", "", "read the secret from this file instead")
	fs.Int64Var(&c.seed, "seed", 0, "the BPJS simulator's seed (BPJS_SIM_SEED; 0 is its default)")
	fs.IntVar(&c.requests, "requests", 10000, "how many webhooks to send")
	fs.IntVar(&c.concurrency, "concurrency", 16, "closed loop: concurrent senders")
	fs.Float64Var(&c.rate, "rate", 0, "open loop: webhooks per second (0: closed loop)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "per-request timeout")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	if err := parseFlags(fs, args, stdout, 0); err != nil {
		return err
	}
	var errs []error
	if o.client == "" {
		errs = append(errs, errors.New("--client is required"))
	}
	secret, err := o.loadSecret()
	errs = append(errs, err)
	target, err := webhookURL(o.url, o.client)
	errs = append(errs, err)
	if c.requests < 1 || c.concurrency < 1 || c.rate < 0 {
		errs = append(errs, errors.New("--requests and --concurrency must be positive, --rate not negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bench: %w (see \"jkngate bench --help\")", err)
	}
	c.target, c.secret = target, secret
	c.runID = strconv.FormatInt(time.Now().UnixNano(), 36)
	res, err := runBench(ctx, c)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printBench(stdout, res)
	return nil
}

func printBench(w io.Writer, r benchResult) {
	fmt.Fprintf(w, "%s: %d requests in %.2fs\n", r.Mode, r.Requests, r.Seconds)
	fmt.Fprintf(w, "decisions/s  %.0f (%d answered 200)\n", r.PerSecond, r.Decisions)
	fmt.Fprintf(w, "latency ms   p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", r.P50Millis, r.P90Millis, r.P99Millis, r.MaxMillis)
	keys := make([]string, 0, len(r.ByStatus))
	for k := range r.ByStatus {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "status %-6s %d\n", k, r.ByStatus[k])
	}
}

// benchBodies builds n webhook bodies, one per request, cycling through the
// simulator's employers (every scenario), each with its own application id.
func benchBodies(seed int64, runID string, n int) [][]byte {
	data := simData(seed)
	bodies := make([][]byte, n)
	for i := range bodies {
		e := data.Employers[i%len(data.Employers)]
		workers := make([]map[string]string, 0, len(e.Workers))
		for _, nik := range e.Workers {
			workers = append(workers, map[string]string{"nik": nik})
		}
		bodies[i], _ = json.Marshal(map[string]any{"type": "application.submitted", "data": map[string]any{
			"application_id": fmt.Sprintf("BENCH-%s-%d", runID, i), "nib": e.NIB, "region_code": e.RegionCode,
			"permit_type": "business_license", "declared_workers": e.DeclaredWorkers, "workers": workers,
			"bpjs_employer_code": e.ApplicationCode}})
	}
	return bodies
}

var (
	simDataMu    sync.Mutex
	simDataCache = map[int64]bpjssim.Data{}
)

// simData is bpjssim.Generate(seed), generated once per seed.
func simData(seed int64) bpjssim.Data {
	simDataMu.Lock()
	defer simDataMu.Unlock()
	d, ok := simDataCache[seed]
	if !ok {
		d = bpjssim.Generate(seed)
		simDataCache[seed] = d
	}
	return d
}

// runBench sends c.requests webhooks and measures them.
func runBench(ctx context.Context, c benchConfig) (benchResult, error) {
	if c.client == nil {
		conns := c.concurrency
		if c.rate > 0 {
			conns = 512
		}
		c.client = &http.Client{Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns}}
		// A run's connections end with it: left idle, an open loop's (up
		// to 512) would stay open on the server (and in this process)
		// through whatever is measured next.
		defer c.client.CloseIdleConnections()
	}
	bodies := benchBodies(c.seed, c.runID, c.requests)
	latencies := make([]time.Duration, c.requests)
	statuses := make([]int, c.requests) // 0: no answer
	ids := make([]string, c.requests)
	send := func(i int, from time.Time) {
		ctx, cancel := context.WithTimeout(ctx, c.timeout)
		defer cancel()
		body := bodies[i]
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.target, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		standardwebhooks.SetHeaders(req.Header, c.secret, fmt.Sprintf("msg_bench_%s_%d", c.runID, i), time.Now(), body)
		resp, err := c.client.Do(req)
		if err == nil {
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
			if resp.StatusCode == http.StatusOK {
				var d struct {
					ID string `json:"decision_id"`
				}
				if json.Unmarshal(answer, &d) == nil {
					ids[i] = d.ID
				}
			}
		}
		latencies[i] = time.Since(from)
	}

	res := benchResult{Requests: c.requests, ByStatus: map[string]int{}}
	start := time.Now()
	var wg sync.WaitGroup
	if c.rate > 0 {
		res.Mode, res.Rate = "open loop", c.rate
		interval := time.Duration(float64(time.Second) / c.rate)
		for i := range c.requests {
			at := start.Add(time.Duration(i) * interval)
			if d := time.Until(at); d > 0 {
				select {
				case <-time.After(d):
				case <-ctx.Done():
					return benchResult{}, ctx.Err()
				}
			}
			wg.Add(1)
			go func() { defer wg.Done(); send(i, at) }()
		}
	} else {
		res.Mode, res.Concurrency = "closed loop", c.concurrency
		var next atomic.Int64
		for range c.concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1) - 1); i < c.requests && ctx.Err() == nil; i = int(next.Add(1) - 1) {
					send(i, time.Now())
				}
			}()
		}
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	for i, s := range statuses {
		key := "error"
		if s != 0 {
			key = strconv.Itoa(s)
		}
		res.ByStatus[key]++
		if s == http.StatusOK {
			res.Decisions++
			res.DecisionIDs = append(res.DecisionIDs, ids[i])
		}
	}
	res.PerSecond = float64(res.Decisions) / res.Seconds
	slices.Sort(latencies)
	ms := func(q float64) float64 {
		i := min(len(latencies)-1, int(q*float64(len(latencies))))
		return float64(latencies[i].Microseconds()) / 1000
	}
	res.P50Millis, res.P90Millis, res.P99Millis, res.MaxMillis = ms(0.50), ms(0.90), ms(0.99), ms(1)
	return res, ctx.Err()
}
