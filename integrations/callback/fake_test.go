package callback

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	official "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

var testSecret = standardwebhooks.NewSecret([]byte("callback-test-key-0123456789abcdef"))

const (
	testClient   = "oss"
	testDecision = "dec-1"
)

// clock is an injected, manually advanced clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// fakeOutbox is an in-memory gate.Outbox with the claim semantics of the
// real stores: a claim leases due, pending, unleased callbacks.
type fakeOutbox struct {
	mu       sync.Mutex
	order    []string
	cbs      map[string]*outboxEntry
	finishes int
	claimErr error
	changed  chan struct{} // receives (without blocking) after each finish
}

type outboxEntry struct {
	c          gate.Callback
	leaseUntil time.Time
}

var _ gate.Outbox = (*fakeOutbox)(nil)

func newFakeOutbox() *fakeOutbox {
	return &fakeOutbox{cbs: map[string]*outboxEntry{}, changed: make(chan struct{}, 1)}
}

func (f *fakeOutbox) add(c gate.Callback) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.order = append(f.order, c.ID)
	f.cbs[c.ID] = &outboxEntry{c: c}
}

func (f *fakeOutbox) get(t *testing.T, id string) gate.Callback {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.cbs[id]
	if !ok {
		t.Fatalf("no callback %s in the outbox", id)
	}
	return e.c
}

func (f *fakeOutbox) ClaimCallbacks(_ context.Context, now time.Time, lease time.Duration, limit int) ([]gate.Callback, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.claimErr != nil {
		return nil, f.claimErr
	}
	var out []gate.Callback
	for _, id := range f.order {
		e := f.cbs[id]
		if len(out) == limit {
			break
		}
		if e.c.State != gate.CallbackPending || e.c.NextAttempt.After(now) || e.leaseUntil.After(now) {
			continue
		}
		e.leaseUntil = now.Add(lease)
		out = append(out, e.c)
	}
	return out, nil
}

func (f *fakeOutbox) FinishCallback(_ context.Context, c gate.Callback) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.cbs[c.ID]
	if !ok {
		return gate.Errorf(gate.KindNotFound, "callback_not_found", "no callback %s", c.ID)
	}
	e.c.State, e.c.Attempts, e.c.NextAttempt, e.c.LastError = c.State, c.Attempts, c.NextAttempt, c.LastError
	e.leaseUntil = time.Time{}
	f.finishes++
	select {
	case f.changed <- struct{}{}:
	default:
	}
	return nil
}

func (f *fakeOutbox) finished() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.finishes
}

func (f *fakeOutbox) countState(s gate.CallbackState) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, e := range f.cbs {
		if e.c.State == s {
			n++
		}
	}
	return n
}

// fakeDecisions loads decisions from a map; err, when set, fails every load.
type fakeDecisions struct {
	m   map[string]gate.Decision
	err error
}

func (f fakeDecisions) Decision(_ context.Context, id string) (gate.Decision, error) {
	if f.err != nil {
		return gate.Decision{}, f.err
	}
	d, ok := f.m[id]
	if !ok {
		return gate.Decision{}, gate.Errorf(gate.KindNotFound, "decision_not_found", "no decision %s", id)
	}
	return d, nil
}

// encode stands in for the API's decision document. The NIK is there so
// that tests can check it never reaches the logs.
func encode(d gate.Decision) ([]byte, error) {
	return json.Marshal(map[string]any{"decision_id": d.ID, "outcome": d.Outcome, "nik": "1275014101900001"})
}

// received is one request the receiver accepted as validly signed.
type received struct {
	id, timestamp, contentType, userAgent, query string
	body                                         message
}

// receiver is an httptest licensing system. It verifies every request's
// signature with the official Standard Webhooks library, records it, and
// answers with respond (n counts requests from 0).
type receiver struct {
	t       *testing.T
	srv     *httptest.Server
	wh      *official.Webhook
	respond func(n int, w http.ResponseWriter, r *http.Request)

	mu       sync.Mutex
	reqs     []received
	inFlight map[string]bool
	overlaps int
}

func newReceiver(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	wh, err := official.NewWebhook(testSecret.Encode())
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{t: t, wh: wh, respond: respond, inFlight: map[string]bool{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		rc.t.Errorf("receiver: reading body: %v", err)
		return
	}
	// The fake clock is far from the real one, so the timestamp is checked
	// against the clock by the tests instead.
	if err := rc.wh.VerifyIgnoringTimestamp(body, r.Header); err != nil {
		rc.t.Errorf("receiver: signature does not verify: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		rc.t.Errorf("receiver: body is not JSON: %v", err)
	}
	id := r.Header.Get("webhook-id")
	rc.mu.Lock()
	n := len(rc.reqs)
	rc.reqs = append(rc.reqs, received{id: id, timestamp: r.Header.Get("webhook-timestamp"),
		contentType: r.Header.Get("Content-Type"), userAgent: r.UserAgent(), query: r.URL.RawQuery, body: m})
	if rc.inFlight[id] {
		rc.overlaps++
	}
	rc.inFlight[id] = true
	rc.mu.Unlock()
	defer func() { rc.mu.Lock(); delete(rc.inFlight, id); rc.mu.Unlock() }()
	if rc.respond != nil {
		rc.respond(n, w, r)
	}
}

func (rc *receiver) overlapping() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.overlaps
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.reqs...)
}

// status answers every request with code and the given headers.
func status(code int, headers ...string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
	}
}

// env is one test's outbox, clock, decisions and receiver.
type env struct {
	t         *testing.T
	clock     *clock
	outbox    *fakeOutbox
	decisions fakeDecisions
	rcv       *receiver
}

func newEnv(t *testing.T, respond func(int, http.ResponseWriter, *http.Request)) *env {
	t.Helper()
	return &env{t: t, clock: &clock{t: t0}, outbox: newFakeOutbox(), rcv: newReceiver(t, respond),
		decisions: fakeDecisions{m: map[string]gate.Decision{testDecision: {ID: testDecision, Outcome: gate.OutcomeAllow}}}}
}

// config is the tests' default: private addresses allowed (httptest
// listens on loopback) and no jitter, so waits are exact.
func (e *env) config() Config {
	return Config{Outbox: e.outbox, Decisions: e.decisions, Encode: encode, Now: e.clock.Now,
		Secrets: map[string]standardwebhooks.Secret{testClient: testSecret}, AllowPrivate: true, Jitter: NoJitter}
}

func (e *env) worker(mod func(*Config)) *Worker {
	e.t.Helper()
	cfg := e.config()
	if mod != nil {
		mod(&cfg)
	}
	w, err := New(cfg)
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	return w
}

// add puts a pending callback, due now, for the receiver into the outbox.
func (e *env) add(id string) gate.Callback {
	c := gate.Callback{ID: id, DecisionID: testDecision, ClientID: testClient, URL: e.rcv.srv.URL + "/hooks/jkngate?token=s3cr3t",
		State: gate.CallbackPending, NextAttempt: e.clock.Now(), CreatedAt: e.clock.Now()}
	e.outbox.add(c)
	return c
}

func (e *env) deliverDue(w *Worker, want int) {
	e.t.Helper()
	n, err := w.DeliverDue(context.Background())
	if err != nil {
		e.t.Fatalf("DeliverDue: %v", err)
	}
	if n != want {
		e.t.Fatalf("DeliverDue claimed %d callbacks, want %d", n, want)
	}
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
