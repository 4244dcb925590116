package cache

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jkngate/jkngate/gate"
)

func TestColdRequestsCoalesceIntoOneCall(t *testing.T) {
	// In a synctest bubble, synctest.Wait returns once every caller is blocked:
	// all have joined the call under way.
	synctest.Test(t, func(t *testing.T) {
		inner := &fakeInner{started: make(chan struct{}, 1)}
		release := inner.hold()
		r, reg := newTestRegistry(t, inner, nil, Options{})

		const callers = 100
		var wg sync.WaitGroup
		results := make([]gate.ParticipantLookup, callers)
		errs := make([]error, callers)
		for i := range callers {
			wg.Go(func() { results[i], errs[i] = r.Participant(context.Background(), testNIK) })
		}
		<-inner.started
		synctest.Wait() // every other caller has joined the call under way
		release()
		wg.Wait()

		if got := inner.participantCalls.Load(); got != 1 {
			t.Fatalf("inner calls = %d, want 1", got)
		}
		for i := range callers {
			if errs[i] != nil {
				t.Fatalf("caller %d: %v", i, errs[i])
			}
			if !results[i].Found || results[i].Participant.NIK != testNIK {
				t.Fatalf("caller %d got %+v", i, results[i])
			}
		}
		miss := metricValue(t, reg, "jkngate_lookups_total", "kind", "participant", "result", resultMiss)
		coalesced := metricValue(t, reg, "jkngate_lookups_total", "kind", "participant", "result", resultCoalesced)
		fresh := metricValue(t, reg, "jkngate_lookups_total", "kind", "participant", "result", resultHitFresh)
		if miss != 1 || coalesced+fresh != callers-1 || coalesced == 0 {
			t.Fatalf("miss %v, coalesced %v, fresh hits %v; want 1 miss and %d others, some coalesced", miss, coalesced, fresh, callers-1)
		}
	})
}

func TestCancelledCallerDoesNotFailOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &fakeInner{started: make(chan struct{}, 1)}
		release := inner.hold()
		r, _ := newTestRegistry(t, inner, nil, Options{})

		ctx, cancel := context.WithCancel(context.Background())
		cancelledErr := make(chan error, 1)
		go func() {
			_, err := r.Employer(ctx, testNIB)
			cancelledErr <- err
		}()
		<-inner.started

		var wg sync.WaitGroup
		others := make([]gate.EmployerLookup, 5)
		errs := make([]error, len(others))
		for i := range others {
			wg.Go(func() { others[i], errs[i] = r.Employer(context.Background(), testNIB) })
		}
		synctest.Wait() // the others have joined the call
		cancel()
		wantCode(t, <-cancelledErr, gate.KindUnavailable, "bpjs_lookup_abandoned")

		release()
		wg.Wait()
		for i := range others {
			if errs[i] != nil || !others[i].Found || others[i].Fetch.Source != gate.SourceLive {
				t.Fatalf("other caller %d: %+v, %v", i, others[i], errs[i])
			}
		}
		if got := inner.employerCalls.Load(); got != 1 {
			t.Fatalf("inner calls = %d, want 1", got)
		}
	})
}

func TestCallFillsCacheAfterEveryCallerLeft(t *testing.T) {
	// synctest.Wait returns once the released call has finished filling the
	// cache: no polling.
	synctest.Test(t, func(t *testing.T) {
		inner := &fakeInner{started: make(chan struct{}, 1)}
		release := inner.hold()
		r, _ := newTestRegistry(t, inner, nil, Options{})

		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := r.Participant(ctx, testNIK)
		wantCode(t, err, gate.KindUnavailable, "bpjs_lookup_abandoned")

		release()
		synctest.Wait()
		if _, ok := r.participants.local.Peek(testNIK); !ok {
			t.Fatal("the abandoned call did not fill the cache")
		}
		got, err := r.Participant(context.Background(), testNIK)
		if err != nil || got.Fetch.Source != gate.SourceCache {
			t.Fatalf("after the background fill: %+v, %v; want a cache hit", got, err)
		}
		if n := inner.participantCalls.Load(); n != 1 {
			t.Fatalf("inner calls = %d, want 1", n)
		}
	})
}

// panicky is an inner registry with a bug.
type panicky struct{ fakeInner }

func (p *panicky) Participant(context.Context, string) (gate.ParticipantLookup, error) {
	panic("nil map in the BPJS client")
}

func TestInnerPanicBecomesUnavailable(t *testing.T) {
	r, _ := newTestRegistry(t, &panicky{}, nil, Options{})
	_, err := r.Participant(context.Background(), testNIK)
	wantCode(t, err, gate.KindUnavailable, "bpjs_unavailable")
}
