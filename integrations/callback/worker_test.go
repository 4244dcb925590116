package callback

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

func TestNewValidates(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{name: "no outbox", change: func(c *Config) { c.Outbox = nil }, want: "Outbox"},
		{name: "no decisions", change: func(c *Config) { c.Decisions = nil }, want: "Decisions"},
		{name: "no encoder", change: func(c *Config) { c.Encode = nil }, want: "Encode"},
		{name: "negative batch", change: func(c *Config) { c.Batch = -1 }, want: "negative"},
		{name: "jitter of 1", change: func(c *Config) { c.Jitter = 1 }, want: "Jitter"},
		{name: "lease not above timeout", change: func(c *Config) { c.Timeout = time.Minute }, want: "Lease"},
	}
	for _, tt := range tests {
		cfg := e.config()
		tt.change(&cfg)
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New = %v, want an error naming %s", tt.name, err, tt.want)
		}
	}
	w := e.worker(func(c *Config) { c.Jitter = 0 })
	if w.cfg.Timeout != DefaultTimeout || w.cfg.Lease != DefaultLease || w.cfg.Poll != DefaultPoll ||
		w.cfg.Batch != DefaultBatch || w.cfg.Concurrency != DefaultConcurrency || w.cfg.Jitter != DefaultJitter {
		t.Errorf("defaults not applied: %+v", w.cfg)
	}
}

// TestRestartResumesPending: a worker fails once and goes away; a new
// worker on the same outbox, once the retry is due, delivers the same
// message (same webhook-id) without anything being lost.
func TestRestartResumesPending(t *testing.T) {
	e := newEnv(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	})
	e.add("cb-1")
	{
		a := e.worker(nil) // worker A is gone at the end of this block
		e.deliverDue(a, 1)
	}
	if c := e.outbox.get(t, "cb-1"); c.State != gate.CallbackPending || c.Attempts != 1 {
		t.Fatalf("after worker A: %+v, want pending after 1 attempt", c)
	}

	e.clock.Advance(6 * time.Second)
	b := e.worker(nil)
	e.deliverDue(b, 1)
	c := e.outbox.get(t, "cb-1")
	if c.State != gate.CallbackDelivered || c.Attempts != 2 || c.LastError != "" {
		t.Errorf("after worker B: %+v, want delivered after 2 attempts", c)
	}
	reqs := e.rcv.requests()
	if len(reqs) != 2 || reqs[0].id != reqs[1].id {
		t.Errorf("receiver got %d requests, want 2 with one webhook-id", len(reqs))
	}
	if reqs[1].timestamp != unix(t0.Add(6*time.Second)) {
		t.Errorf("retry signed at %s, want the retry's own time", reqs[1].timestamp)
	}
}

// TestExpiredLeaseReclaimed: a worker that claimed a callback and died
// holds it only until its lease ends.
func TestExpiredLeaseReclaimed(t *testing.T) {
	e := newEnv(t, status(200))
	e.add("cb-1")
	if got, err := e.outbox.ClaimCallbacks(context.Background(), t0, time.Minute, 10); err != nil || len(got) != 1 {
		t.Fatalf("dead worker's claim = %d, %v", len(got), err)
	}
	w := e.worker(nil)
	e.deliverDue(w, 0)
	e.clock.Advance(59 * time.Second)
	e.deliverDue(w, 0)
	e.clock.Advance(time.Second)
	e.deliverDue(w, 1)
	if c := e.outbox.get(t, "cb-1"); c.State != gate.CallbackDelivered {
		t.Errorf("callback = %+v, want delivered once the lease expired", c)
	}
}

// TestConcurrentRuns: two workers running on one outbox deliver every
// callback exactly once, never the same one at the same time.
func TestConcurrentRuns(t *testing.T) {
	e := newEnv(t, status(200))
	const n = 60
	for i := range n {
		e.add(fmt.Sprintf("cb-%02d", i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 2)
	for range 2 {
		w := e.worker(func(c *Config) { c.Poll = time.Millisecond; c.Batch = 5; c.Concurrency = 3 })
		go func() { done <- w.Run(ctx) }()
	}
	deadline := time.After(20 * time.Second) // a safety net, not an assertion
	for e.outbox.countState(gate.CallbackDelivered) < n {
		select {
		case <-e.outbox.changed:
		case <-deadline:
			t.Fatalf("only %d of %d callbacks delivered", e.outbox.countState(gate.CallbackDelivered), n)
		}
	}
	cancel()
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("Run = %v, want nil on cancel", err)
		}
	}
	perID := map[string]int{}
	for _, r := range e.rcv.requests() {
		perID[r.id]++
	}
	for id, k := range perID {
		if k != 1 {
			t.Errorf("%s delivered %d times", id, k)
		}
	}
	if overlaps := e.rcv.overlapping(); len(perID) != n || overlaps != 0 {
		t.Errorf("%d distinct deliveries, %d overlapping; want %d and 0", len(perID), overlaps, n)
	}
}

// TestRunAbandonsOnStop: stopping Run while the receiver has not answered
// leaves the callback to its lease, unrecorded, instead of counting a failure.
func TestRunAbandonsOnStop(t *testing.T) {
	arrived := make(chan struct{})
	e := newEnv(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	e.add("cb-1")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	w := e.worker(nil)
	go func() { done <- w.Run(ctx) }()
	<-arrived
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	c := e.outbox.get(t, "cb-1")
	if finishes := e.outbox.finished(); c.State != gate.CallbackPending || c.Attempts != 0 || finishes != 0 {
		t.Errorf("callback = %+v after %d finishes, want it untouched", c, finishes)
	}
	e.clock.Advance(time.Minute)
	if got, _ := e.outbox.ClaimCallbacks(context.Background(), e.clock.Now(), time.Minute, 1); len(got) != 1 {
		t.Error("the abandoned callback cannot be claimed again after its lease")
	}
}

func TestDeliverDueClaimError(t *testing.T) {
	e := newEnv(t, nil)
	e.outbox.claimErr = gate.Errorf(gate.KindUnavailable, "store_unavailable", "down")
	_, err := e.worker(nil).DeliverDue(context.Background())
	if !errors.Is(err, gate.ErrUnavailable) {
		t.Errorf("DeliverDue = %v, want the store's unavailable error", err)
	}
}
