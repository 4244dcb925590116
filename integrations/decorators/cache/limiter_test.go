package cache

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jkngate/jkngate/gate"
)

func TestRateLimitBeyondDeadlineMakesNoCall(t *testing.T) {
	inner := &fakeInner{}
	r, reg := newTestRegistry(t, inner, nil, Options{Rate: 0.001, Burst: 1})
	if _, err := r.Employer(context.Background(), nib(1)); err != nil {
		t.Fatalf("first lookup (the burst): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := r.Employer(ctx, nib(2))
	wantCode(t, err, gate.KindUnavailable, "bpjs_rate_limited")
	if n := inner.employerCalls.Load(); n != 1 {
		t.Fatalf("inner calls = %d, want 1", n)
	}
	if ctx.Err() != nil {
		t.Fatalf("the lookup waited for its deadline instead of failing at once")
	}
	if v := metricValue(t, reg, "jkngate_bpjs_calls_total", "endpoint", "employer", "outcome", outcomeRateLimited); v != 1 {
		t.Fatalf("rate_limited calls = %v, want 1", v)
	}
}

func TestInFlightCapWaitIsBoundedByDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &fakeInner{started: make(chan struct{}, 1)}
		release := inner.hold()
		defer release()
		r, reg := newTestRegistry(t, inner, nil, Options{MaxInFlight: 1})
		go func() { _, _ = r.Employer(context.Background(), nib(1)) }()
		<-inner.started

		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		_, err := r.Employer(ctx, nib(2))
		// The caller and the call it started share the deadline; whichever
		// notices first answers, and both mean that no call was made.
		if gate.KindOf(err) != gate.KindUnavailable {
			t.Fatalf("err = %v, want KindUnavailable", err)
		}
		synctest.Wait() // the capped call has given up
		if v := metricValue(t, reg, "jkngate_bpjs_calls_total", "endpoint", "employer", "outcome", outcomeBusy); v != 1 {
			t.Fatalf("busy calls = %v, want 1", v)
		}
		release()
		r.wait()
		if n := inner.employerCalls.Load(); n != 1 {
			t.Fatalf("inner calls = %d, want 1: the capped lookup must not call BPJS", n)
		}
	})
}

// Background lookups (the recheck) leave a quarter of the burst to live
// lookups: once the bucket is down to it, a background lookup is refused
// while a live one still gets a token at once.
func TestBackgroundLookupsLeaveRateTokensToLiveOnes(t *testing.T) {
	inner := &fakeInner{}
	r, reg := newTestRegistry(t, inner, nil, Options{Rate: 0.001, Burst: 4})
	bg := gate.WithBackground(context.Background())
	for i := range 3 {
		if _, err := r.Employer(bg, nib(i)); err != nil {
			t.Fatalf("background lookup %d: %v", i, err)
		}
	}
	ctx, cancel := context.WithTimeout(bg, time.Second)
	defer cancel()
	_, err := r.Employer(ctx, nib(3))
	wantCode(t, err, gate.KindUnavailable, "bpjs_rate_limited")
	if _, err := r.Employer(context.Background(), nib(4)); err != nil {
		t.Fatalf("live lookup after the background ones: %v; want the reserved token", err)
	}
	if n := inner.employerCalls.Load(); n != 4 {
		t.Fatalf("inner calls = %d, want 4", n)
	}
	if v := metricValue(t, reg, "jkngate_bpjs_calls_total", "endpoint", "employer", "outcome", outcomeRateLimited); v != 1 {
		t.Fatalf("rate_limited calls = %v, want 1", v)
	}
}

// Background lookups hold at most three quarters of the in-flight slots.
func TestBackgroundLookupsLeaveInFlightSlotsToLiveOnes(t *testing.T) {
	inner := &fakeInner{started: make(chan struct{}, 8)}
	release := inner.hold()
	defer release()
	r, _ := newTestRegistry(t, inner, nil, Options{MaxInFlight: 4})
	bg := gate.WithBackground(context.Background())
	for i := range 3 {
		go func() { _, _ = r.Employer(bg, nib(i)) }()
		<-inner.started
	}
	ctx, cancel := context.WithTimeout(bg, 30*time.Millisecond)
	defer cancel()
	if _, err := r.Employer(ctx, nib(3)); gate.KindOf(err) != gate.KindUnavailable {
		t.Fatalf("fourth background lookup: %v, want KindUnavailable (no slot)", err)
	}
	live := make(chan error, 1)
	go func() { _, err := r.Employer(context.Background(), nib(4)); live <- err }()
	<-inner.started // the live lookup got the last slot and called BPJS
	release()
	if err := <-live; err != nil {
		t.Fatalf("live lookup: %v", err)
	}
	r.wait()
}

// A live lookup does not join a background lookup of the same key, which
// may be waiting for the rate limit's headroom: it makes its own call.
func TestLiveLookupDoesNotWaitOnABackgroundOne(t *testing.T) {
	inner := &fakeInner{started: make(chan struct{}, 2)}
	release := inner.hold()
	defer release()
	r, _ := newTestRegistry(t, inner, nil, Options{})
	go func() { _, _ = r.Employer(gate.WithBackground(context.Background()), testNIB) }()
	<-inner.started
	go func() { _, _ = r.Employer(context.Background(), testNIB) }()
	select {
	case <-inner.started:
	case <-time.After(10 * time.Second): // a guard against hanging, not a speed assertion
		t.Fatal("the live lookup joined the background one instead of calling BPJS")
	}
	release()
	r.wait()
}
