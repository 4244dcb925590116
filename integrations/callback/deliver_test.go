package callback

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/prometheus/client_golang/prometheus"
)

func TestDeliverSignedMessage(t *testing.T) {
	e := newEnv(t, status(http.StatusNoContent))
	e.add("cb-1")
	e.deliverDue(e.worker(nil), 1)

	reqs := e.rcv.requests()
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.id != "cb-1" {
		t.Errorf("webhook-id = %q, want the callback id cb-1", r.id)
	}
	if r.timestamp != unix(t0) {
		t.Errorf("webhook-timestamp = %s, want %s", r.timestamp, unix(t0))
	}
	if r.contentType != "application/json" || r.userAgent != UserAgent {
		t.Errorf("Content-Type %q, User-Agent %q", r.contentType, r.userAgent)
	}
	if r.query != "token=s3cr3t" {
		t.Errorf("query = %q, want the callback URL's", r.query)
	}
	if r.body.Type != "decision.updated" || r.body.Timestamp != "2026-11-22T10:00:00Z" {
		t.Errorf("type %q, timestamp %q", r.body.Type, r.body.Timestamp)
	}
	if !bytes.Contains(r.body.Data, []byte(`"decision_id":"dec-1"`)) {
		t.Errorf("data = %s, want the encoded decision dec-1", r.body.Data)
	}
	c := e.outbox.get(t, "cb-1")
	if c.State != gate.CallbackDelivered || c.Attempts != 1 || c.LastError != "" {
		t.Errorf("callback = %+v, want delivered after 1 attempt", c)
	}
}

func TestDeliverOutcomes(t *testing.T) {
	inTenMinutes := t0.Add(10 * time.Minute).Format(http.TimeFormat)
	tests := []struct {
		name      string
		respond   func(int, http.ResponseWriter, *http.Request)
		state     gate.CallbackState
		wait      time.Duration // NextAttempt - now, when pending
		lastError string
		result    string
	}{
		{name: "200", respond: status(200), state: gate.CallbackDelivered, result: resultDelivered},
		{name: "202", respond: status(202), state: gate.CallbackDelivered, result: resultDelivered},
		{name: "500 retries after 5s", respond: status(500), state: gate.CallbackPending, wait: 5 * time.Second,
			lastError: "500 Internal Server Error", result: resultRetry},
		{name: "404 retries", respond: status(404), state: gate.CallbackPending, wait: 5 * time.Second,
			lastError: "404 Not Found", result: resultRetry},
		{name: "Retry-After seconds longer than the schedule", respond: status(503, "Retry-After", "120"),
			state: gate.CallbackPending, wait: 120 * time.Second, lastError: "503 Service Unavailable", result: resultRetry},
		{name: "Retry-After shorter than the schedule", respond: status(429, "Retry-After", "2"),
			state: gate.CallbackPending, wait: 5 * time.Second, lastError: "429 Too Many Requests", result: resultRetry},
		{name: "Retry-After HTTP date", respond: status(503, "Retry-After", inTenMinutes),
			state: gate.CallbackPending, wait: 10 * time.Minute, lastError: "503", result: resultRetry},
		{name: "Retry-After capped at a day", respond: status(503, "Retry-After", "31536000"),
			state: gate.CallbackPending, wait: 24 * time.Hour, lastError: "503", result: resultRetry},
		{name: "410 stops at once", respond: status(410), state: gate.CallbackFailed, lastError: "410 Gone", result: resultGone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.respond)
			reg := prometheus.NewRegistry()
			e.add("cb-1")
			e.deliverDue(e.worker(func(c *Config) { c.Metrics = reg }), 1)

			c := e.outbox.get(t, "cb-1")
			if c.State != tt.state || c.Attempts != 1 {
				t.Fatalf("state %s after %d attempts, want %s after 1", c.State, c.Attempts, tt.state)
			}
			if !strings.Contains(c.LastError, tt.lastError) || (tt.lastError == "") != (c.LastError == "") {
				t.Errorf("LastError = %q, want %q", c.LastError, tt.lastError)
			}
			if tt.state == gate.CallbackPending && !c.NextAttempt.Equal(t0.Add(tt.wait)) {
				t.Errorf("NextAttempt = now+%s, want now+%s", c.NextAttempt.Sub(t0), tt.wait)
			}
			if got := counter(t, reg, tt.result); got != 1 {
				t.Errorf("deliveries_total{result=%q} = %v, want 1", tt.result, got)
			}
			if len(e.rcv.requests()) != 1 {
				t.Errorf("receiver got %d requests, want 1", len(e.rcv.requests()))
			}
		})
	}
}

func TestRetryScheduleThenFailed(t *testing.T) {
	e := newEnv(t, status(500))
	e.add("cb-1")
	w := e.worker(nil)
	for i, step := range gate.CallbackRetrySchedule {
		e.deliverDue(w, 1)
		c := e.outbox.get(t, "cb-1")
		if c.State != gate.CallbackPending || c.Attempts != i+1 {
			t.Fatalf("after attempt %d: state %s, attempts %d", i+1, c.State, c.Attempts)
		}
		if got := c.NextAttempt.Sub(e.clock.Now()); got != step {
			t.Fatalf("after attempt %d: wait %s, want %s", i+1, got, step)
		}
		e.clock.Advance(step - time.Second)
		e.deliverDue(w, 0) // not due yet
		e.clock.Advance(time.Second)
	}
	e.deliverDue(w, 1)
	c := e.outbox.get(t, "cb-1")
	if c.State != gate.CallbackFailed || c.Attempts != 10 || c.LastError != "500 Internal Server Error" {
		t.Errorf("after the last retry: %+v, want failed after 10 attempts", c)
	}
	e.clock.Advance(48 * time.Hour)
	e.deliverDue(w, 0)
	reqs := e.rcv.requests()
	if len(reqs) != 10 {
		t.Fatalf("receiver got %d requests, want 10", len(reqs))
	}
	for _, r := range reqs {
		if r.id != "cb-1" {
			t.Errorf("a retry had webhook-id %q, want the same id cb-1 every time", r.id)
		}
	}
}

func TestJitter(t *testing.T) {
	e := newEnv(t, status(500))
	ids := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}
	for _, id := range ids {
		e.add(id)
	}
	e.deliverDue(e.worker(func(c *Config) { c.Jitter = 0 }), len(ids)) // the default, 0.1
	seen := map[time.Duration]bool{}
	for _, id := range ids {
		wait := e.outbox.get(t, id).NextAttempt.Sub(t0)
		if wait < 4500*time.Millisecond || wait > 5500*time.Millisecond {
			t.Errorf("%s: wait %s, want 5s +- 10%%", id, wait)
		}
		seen[wait] = true
	}
	if len(seen) < 2 {
		t.Errorf("all %d waits were equal: no jitter", len(ids))
	}

	w := &Worker{cfg: Config{Jitter: 0.5}}
	for range 100 {
		if got := w.jitter(time.Second, 0); got < time.Second {
			t.Fatalf("jitter(1s) = %s, below the 1s floor", got)
		}
		if got := w.jitter(5*time.Second, 2*time.Minute); got < 2*time.Minute {
			t.Fatalf("jitter with Retry-After 2m = %s, earlier than asked", got)
		}
	}
}

func TestTimeoutRetries(t *testing.T) {
	release := make(chan struct{})
	e := newEnv(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) })
	e.add("cb-1")
	e.deliverDue(e.worker(func(c *Config) { c.Timeout = 50 * time.Millisecond }), 1)
	c := e.outbox.get(t, "cb-1")
	if c.State != gate.CallbackPending || c.Attempts != 1 || !strings.Contains(c.LastError, "no answer within 50ms") {
		t.Errorf("callback = %+v, want pending after a timeout", c)
	}
	if !c.NextAttempt.Equal(t0.Add(5 * time.Second)) {
		t.Errorf("NextAttempt = now+%s, want now+5s", c.NextAttempt.Sub(t0))
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	t.Cleanup(target.Close)
	e := newEnv(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/elsewhere", http.StatusTemporaryRedirect)
	})
	e.add("cb-1")
	e.deliverDue(e.worker(nil), 1)
	if hits.Load() != 0 {
		t.Errorf("the redirect target got %d requests, want none", hits.Load())
	}
	c := e.outbox.get(t, "cb-1")
	if c.State != gate.CallbackPending || !strings.Contains(c.LastError, "307 Temporary Redirect") {
		t.Errorf("callback = %+v, want pending with the redirect as LastError", c)
	}
}

func TestFailsWithoutRetrying(t *testing.T) {
	tests := []struct {
		name      string
		change    func(*gate.Callback, *Config)
		lastError string
	}{
		{name: "unknown client", lastError: `no signing secret for client "nobody"`,
			change: func(c *gate.Callback, _ *Config) { c.ClientID = "nobody" }},
		{name: "decision not found", lastError: "decision dec-gone not found",
			change: func(c *gate.Callback, _ *Config) { c.DecisionID = "dec-gone" }},
		{name: "not http", lastError: "scheme must be http or https",
			change: func(c *gate.Callback, _ *Config) { c.URL = "ftp://licensing.example/x" }},
		{name: "encoding fails", lastError: "encoding the decision: boom",
			change: func(_ *gate.Callback, cfg *Config) {
				cfg.Encode = func(gate.Decision) ([]byte, error) { return nil, errors.New("boom") }
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, status(200))
			c := gate.Callback{ID: "cb-1", DecisionID: testDecision, ClientID: testClient, URL: e.rcv.srv.URL,
				State: gate.CallbackPending, NextAttempt: t0}
			cfg := e.config()
			tt.change(&c, &cfg)
			e.outbox.add(c)
			w, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			e.deliverDue(w, 1)
			got := e.outbox.get(t, "cb-1")
			if got.State != gate.CallbackFailed || !strings.Contains(got.LastError, tt.lastError) {
				t.Errorf("callback = %+v, want failed with %q", got, tt.lastError)
			}
			if n := len(e.rcv.requests()); n != 0 {
				t.Errorf("receiver got %d requests, want none", n)
			}
		})
	}
}

func TestDecisionStoreDownRetries(t *testing.T) {
	e := newEnv(t, status(200))
	e.decisions.err = gate.Errorf(gate.KindUnavailable, "store_unavailable", "database is locked")
	e.add("cb-1")
	e.deliverDue(e.worker(nil), 1)
	c := e.outbox.get(t, "cb-1")
	if c.State != gate.CallbackPending || !strings.Contains(c.LastError, "database is locked") {
		t.Errorf("callback = %+v, want pending: a store outage is not the receiver's fault", c)
	}
}

func TestLogsNoBodyNorQuery(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, status(500))
	e.add("cb-1")
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	e.deliverDue(e.worker(func(c *Config) { c.Logger = logger }), 1)
	logs := buf.String()
	for _, secret := range []string{"1275014101900001", "s3cr3t", "decision_id\":"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
	for _, want := range []string{"callback_id=cb-1", "decision_id=dec-1", "client_id=oss", "status=500", "attempt=1", "host=127.0.0.1:"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	for v, want := range map[string]time.Duration{
		"": 0, "0": 0, "-5": 0, "abc": 0, "30": 30 * time.Second,
		t0.Add(-time.Minute).Format(http.TimeFormat): 0,
		t0.Add(time.Hour).Format(http.TimeFormat):    time.Hour,
	} {
		if got := parseRetryAfter(v, t0); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", v, got, want)
		}
	}
}

func counter(t *testing.T, reg *prometheus.Registry, result string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "jkngate_callback_deliveries_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" && l.GetValue() == result {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
