package gate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// fakeRegistry answers from maps and counts calls and concurrency.
type fakeRegistry struct {
	employers    map[string]EmployerLookup
	participants map[string]ParticipantLookup
	delay        time.Duration
	calls        atomic.Int64
	inFlight     atomic.Int64
	maxInFlight  atomic.Int64
}

func (r *fakeRegistry) enter() func() {
	r.calls.Add(1)
	n := r.inFlight.Add(1)
	for {
		m := r.maxInFlight.Load()
		if n <= m || r.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(r.delay) // simulated latency: callers run it in a synctest bubble, on fake time
	return func() { r.inFlight.Add(-1) }
}

func (r *fakeRegistry) Employer(ctx context.Context, nib string) (EmployerLookup, error) {
	defer r.enter()()
	if err := ctx.Err(); err != nil {
		return EmployerLookup{}, Errorf(KindUnavailable, "timeout", "gave up: %w", err)
	}
	return r.employers[nib], nil
}

func (r *fakeRegistry) Participant(ctx context.Context, nik string) (ParticipantLookup, error) {
	defer r.enter()()
	if err := ctx.Err(); err != nil {
		return ParticipantLookup{}, Errorf(KindUnavailable, "timeout", "gave up: %w", err)
	}
	return r.participants[nik], nil
}

// memStore is a minimal Store for service tests; the real constraint-based
// stores are tested by integrations/testsupport/storetest.
type memStore struct {
	mu        sync.Mutex
	decisions map[string]Decision
	webhooks  map[string]string
	failWrite error
}

func newMemStore() *memStore {
	return &memStore{decisions: map[string]Decision{}, webhooks: map[string]string{}}
}

func (s *memStore) RecordDecision(_ context.Context, d Decision) (Decision, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failWrite != nil {
		return Decision{}, false, s.failWrite
	}
	key := d.ClientID + "\x00" + d.WebhookID
	if id, ok := s.webhooks[key]; ok {
		return s.decisions[id], false, nil
	}
	s.webhooks[key] = d.ID
	s.decisions[d.ID] = d
	return d, true, nil
}

func (s *memStore) DecisionForWebhook(_ context.Context, client, webhook string) (Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.webhooks[client+"\x00"+webhook]; ok {
		return s.decisions[id], nil
	}
	return Decision{}, &Error{Kind: KindNotFound, Code: "not_found"}
}

func (s *memStore) Decision(_ context.Context, id string) (Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.decisions[id]; ok {
		return d, nil
	}
	return Decision{}, &Error{Kind: KindNotFound, Code: "not_found"}
}

func (s *memStore) Ping(context.Context) error { return nil }

func newService(t *testing.T, workers int) (*Service, *fakeRegistry, *memStore, Application) {
	t.Helper()
	reg := &fakeRegistry{employers: map[string]EmployerLookup{"9120001234567": employer("1", workers, 0)},
		participants: map[string]ParticipantLookup{}}
	a := app(PermitBusinessLicense, workers)
	for i := 0; i < workers; i++ {
		nik := fmt.Sprintf("127501410190%04d", i)
		a.Workers = append(a.Workers, Worker{NIK: nik})
		reg.participants[nik] = ParticipantLookup{Found: true, Fetch: live,
			Participant: Participant{NIK: nik, Status: "0", Segment: "13"}}
	}
	st := newMemStore()
	return &Service{Registry: reg, Store: st, Policy: DefaultPolicy(), Now: func() time.Time { return t0 }}, reg, st, a
}

func TestSubmitRecordsAndIsIdempotent(t *testing.T) {
	svc, reg, st, a := newService(t, 3)
	ctx := context.Background()
	d1, err := svc.Submit(ctx, "oss", "msg_1", a)
	if err != nil {
		t.Fatal(err)
	}
	if d1.Outcome != OutcomeAllow || d1.ID == "" || d1.ClientID != "oss" || d1.WebhookID != "msg_1" {
		t.Fatalf("decision = %+v", d1)
	}
	if _, err := st.Decision(ctx, d1.ID); err != nil {
		t.Fatalf("decision not recorded: %v", err)
	}
	calls := reg.calls.Load()
	d2, err := svc.Submit(ctx, "oss", "msg_1", a)
	if err != nil || d2.ID != d1.ID {
		t.Fatalf("replay gave %v, %v; want the same decision %s", d2.ID, err, d1.ID)
	}
	if reg.calls.Load() != calls {
		t.Errorf("a replayed webhook looked BPJS up again")
	}
	d3, _ := svc.Submit(ctx, "oss", "msg_2", a)
	if d3.ID == d1.ID {
		t.Errorf("a new webhook id must be evaluated afresh")
	}
}

func TestSubmitStoreFailure(t *testing.T) {
	svc, _, st, a := newService(t, 1)
	st.failWrite = &Error{Kind: KindUnavailable, Code: "db", Message: "disk full"}
	_, err := svc.Submit(context.Background(), "oss", "msg_1", a)
	if CodeOf(err) != "store_unavailable" || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want store_unavailable", err)
	}
}

func TestSubmitInvalidMakesNoLookups(t *testing.T) {
	svc, reg, _, a := newService(t, 1)
	a.NIB = "1"
	if _, err := svc.Submit(context.Background(), "oss", "m", a); CodeOf(err) != "invalid_application" {
		t.Fatalf("err = %v", err)
	}
	if reg.calls.Load() != 0 {
		t.Errorf("an invalid application was looked up")
	}
}

func TestUngatedPermitMakesNoLookups(t *testing.T) {
	svc, reg, _, a := newService(t, 2)
	a.PermitType = PermitOther
	d, err := svc.Evaluate(context.Background(), a)
	if err != nil || d.Reasons[0].Code != ReasonPermitNotGated || reg.calls.Load() != 0 {
		t.Fatalf("d=%v err=%v calls=%d", codes(d), err, reg.calls.Load())
	}
}

func TestWorkerLookupsAreBoundedAndSampled(t *testing.T) {
	// The registry's delay runs on the bubble's fake clock: lookups overlap
	// as they would in 2 ms each, and the test takes no wall time.
	synctest.Test(t, func(t *testing.T) {
		svc, reg, _, a := newService(t, 40)
		reg.delay = 2 * time.Millisecond
		svc.MaxLookupsInFlight = 4
		d, err := svc.Evaluate(context.Background(), a)
		if err != nil || d.Outcome != OutcomeAllow {
			t.Fatalf("d=%v err=%v", codes(d), err)
		}
		// 4 worker lookups plus the employer lookup may overlap.
		if m := reg.maxInFlight.Load(); m > 5 {
			t.Errorf("max in flight = %d, want <= 5", m)
		}
		if d.Evidence.WorkersChecked != 40 {
			t.Errorf("checked %d workers, want 40", d.Evidence.WorkersChecked)
		}

		svc.Policy.WorkerSampleSize = 7
		before := reg.calls.Load()
		d, _ = svc.Evaluate(context.Background(), a)
		if got := reg.calls.Load() - before; got != 8 {
			t.Errorf("sampled evaluation made %d lookups, want 7 workers + 1 employer", got)
		}
		if d.Evidence.WorkersChecked != 7 || d.Evidence.WorkersListed != 40 {
			t.Errorf("evidence = %+v", d.Evidence)
		}
	})
}

func TestBudgetTurnsSlowLookupsIntoUnavailable(t *testing.T) {
	// Fake time (synctest): the budget and the slow lookups meet exactly,
	// whatever the machine's load.
	synctest.Test(t, func(t *testing.T) {
		svc, reg, _, a := newService(t, 50)
		reg.delay = 20 * time.Millisecond
		svc.MaxLookupsInFlight = 2
		svc.Budget = 30 * time.Millisecond
		d, err := svc.Evaluate(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		if d.Outcome != OutcomeReview || !d.HasReason(ReasonRegistryUnavailable) {
			t.Fatalf("reasons = %v, want REGISTRY_UNAVAILABLE", codes(d))
		}
		// Lookups not started when the budget ended are never started: with 2
		// in flight and 20 ms each, far fewer than 51 calls fit in 30 ms.
		if n := reg.calls.Load(); n >= 51 {
			t.Errorf("made %d lookups; the budget should have stopped new ones", n)
		}
	})
}

func TestSubmitTellsOnDecision(t *testing.T) {
	svc, _, _, a := newService(t, 1)
	type call struct {
		id      string
		created bool
	}
	var calls []call
	svc.OnDecision = func(d Decision, created bool) { calls = append(calls, call{d.ID, created}) }
	ctx := context.Background()
	d1, err := svc.Submit(ctx, "oss", "msg_1", a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Submit(ctx, "oss", "msg_1", a); err != nil {
		t.Fatal(err)
	}
	want := []call{{d1.ID, true}, {d1.ID, false}}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("OnDecision calls = %v, want %v", calls, want)
	}
}
