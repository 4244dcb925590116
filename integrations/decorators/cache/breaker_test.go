package cache

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// nib returns a distinct NIB per i, so that each lookup is a miss.
func nib(i int) string { return fmt.Sprintf("91200%08d", i) }

func TestBreakerCountsOnlyOutages(t *testing.T) {
	const trip = 3
	tests := []struct {
		name     string
		err      error
		missing  bool
		wantOpen bool
	}{
		{name: "BPJS unavailable", err: errBPJSDown, wantOpen: true},
		{name: "raw transport error", err: fmt.Errorf("dial tcp: connection refused"), wantOpen: true},
		{name: "timeout", err: gate.Errorf(gate.KindUnavailable, "bpjs_timeout", "fake: %w", context.DeadlineExceeded), wantOpen: true},
		{name: "context cancelled", err: fmt.Errorf("fake: %w", context.Canceled)},
		{name: "employer source disabled", err: gate.Errorf(gate.KindUnavailable, gate.CodeEmployerSourceDisabled, "no employer source")},
		{name: "invalid NIB", err: gate.Errorf(gate.KindInvalid, "invalid_nib", "not 13 digits")},
		{name: "not registered", missing: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner := &fakeInner{err: tt.err, missing: tt.missing}
			r, reg := newTestRegistry(t, inner, nil, Options{BreakerFailures: trip, BreakerOpenTimeout: time.Hour})
			for i := range trip + 2 {
				_, _ = r.Employer(context.Background(), nib(i))
			}
			before := inner.employerCalls.Load()
			_, err := r.Employer(context.Background(), nib(100))
			after := inner.employerCalls.Load()
			if tt.wantOpen {
				wantCode(t, err, gate.KindUnavailable, "bpjs_circuit_open")
				if before != trip || after != before {
					t.Fatalf("inner calls %d then %d, want %d and no call once open", before, after, trip)
				}
				if s := metricValue(t, reg, "jkngate_breaker_state", "endpoint", "employer"); s != 2 {
					t.Fatalf("breaker state gauge = %v, want 2 (open)", s)
				}
				return
			}
			if after != trip+3 {
				t.Fatalf("inner calls = %d, want %d: the breaker must stay closed", after, trip+3)
			}
		})
	}
}

func TestBreakerHalfOpenRecovery(t *testing.T) {
	// The open timeout runs on the bubble's fake clock: each sleep advances it
	// without taking wall time.
	synctest.Test(t, func(t *testing.T) {
		inner := &fakeInner{err: errBPJSDown}
		r, reg := newTestRegistry(t, inner, nil, Options{
			BreakerFailures: 2, BreakerOpenTimeout: 30 * time.Millisecond, BreakerHalfOpenRequests: 1,
		})
		for i := range 2 {
			_, _ = r.Participant(context.Background(), fmt.Sprintf("12750141019%05d", i))
		}
		_, err := r.Participant(context.Background(), testNIK)
		wantCode(t, err, gate.KindUnavailable, "bpjs_circuit_open")
		if n := inner.participantCalls.Load(); n != 2 {
			t.Fatalf("inner calls = %d, want 2", n)
		}

		// A failed probe opens it again.
		time.Sleep(40 * time.Millisecond)
		_, err = r.Participant(context.Background(), testNIK)
		wantCode(t, err, gate.KindUnavailable, "bpjs_http_503")
		if n := inner.participantCalls.Load(); n != 3 {
			t.Fatalf("inner calls = %d, want 3: one probe", n)
		}
		_, err = r.Participant(context.Background(), testNIK)
		wantCode(t, err, gate.KindUnavailable, "bpjs_circuit_open")

		// A successful probe closes it.
		inner.setErr(nil)
		time.Sleep(40 * time.Millisecond)
		if _, err := r.Participant(context.Background(), testNIK); err != nil {
			t.Fatalf("probe: %v", err)
		}
		if s := metricValue(t, reg, "jkngate_breaker_state", "endpoint", "participant"); s != 0 {
			t.Fatalf("breaker state gauge = %v, want 0 (closed)", s)
		}
		if _, err := r.Participant(context.Background(), "1275014101900002"); err != nil {
			t.Fatalf("after recovery: %v", err)
		}
		if n := inner.participantCalls.Load(); n != 5 {
			t.Fatalf("inner calls = %d, want 5", n)
		}
	})
}

func TestCallerCancellationsDoNotTripBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &fakeInner{}
		r, _ := newTestRegistry(t, inner, nil, Options{BreakerFailures: 2, CallTimeout: time.Second})
		release := inner.hold()
		for i := range 5 {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := r.Employer(ctx, nib(i))
			wantCode(t, err, gate.KindUnavailable, "bpjs_lookup_abandoned")
		}
		release()
		synctest.Wait() // the abandoned calls have finished
		if n := r.employers.local.Len(); n != 5 {
			t.Fatalf("%d abandoned calls filled the cache, want 5", n)
		}
		if _, err := r.Employer(context.Background(), nib(99)); err != nil {
			t.Fatalf("lookup after cancelled callers: %v", err)
		}
	})
}

// An open breaker answers before the rate limiter: lookups fail fast as
// circuit_open instead of queueing for tokens behind calls never made.
func TestOpenBreakerDoesNotWaitForTheRateLimiter(t *testing.T) {
	inner := &fakeInner{err: errBPJSDown}
	r, _ := newTestRegistry(t, inner, nil, Options{BreakerFailures: 2, BreakerOpenTimeout: time.Hour,
		Rate: 1, Burst: 2})
	for i := range 2 {
		_, _ = r.Employer(context.Background(), nib(i))
	}
	// The two failures spent the burst; with the breaker checked first, the
	// next 50 lookups still say circuit_open, not rate_limited. The deadline
	// is far shorter than the limiter's next token (1 s), so a lookup that
	// reached the limiter first would be refused as rate_limited; it is long
	// enough that a loaded machine under -race still runs the flight in time.
	for i := range 50 {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		_, err := r.Employer(ctx, nib(10+i))
		cancel()
		wantCode(t, err, gate.KindUnavailable, "bpjs_circuit_open")
	}
}
