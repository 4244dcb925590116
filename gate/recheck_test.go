package gate

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// recheckStore adds the recheck queue and supersession to memStore.
type recheckStore struct {
	*memStore
	rmu sync.Mutex
	recheckQueue
}

// recheckQueue is the recheck queue of the test stores (recheckStore and
// fakeStore): the rechecks by decision id, their leases, and every finish
// in order. Its methods take no lock; the store's own lock guards them.
type recheckQueue struct {
	rechecks map[string]*Recheck
	leased   map[string]time.Time
	finished []finishedRecheck
}

func newRecheckQueue() recheckQueue {
	return recheckQueue{rechecks: map[string]*Recheck{}, leased: map[string]time.Time{}}
}

// claim leases up to limit rechecks due at now and not leased, in id
// order, until now+lease.
func (q *recheckQueue) claim(now time.Time, lease time.Duration, limit int) []Recheck {
	var ids []string
	for id, r := range q.rechecks {
		if !r.NextAttempt.After(now) && !q.leased[id].After(now) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	var out []Recheck
	for _, id := range ids[:min(limit, len(ids))] {
		q.leased[id] = now.Add(lease)
		out = append(out, *q.rechecks[id])
	}
	return out
}

// finish records the finish and ends the lease; a zero next drops the
// recheck, any other sets when it is due again. An unknown id is recorded
// only.
func (q *recheckQueue) finish(id string, attempts int, next time.Time) {
	q.finished = append(q.finished, finishedRecheck{id, attempts, next})
	delete(q.leased, id)
	r, ok := q.rechecks[id]
	if !ok {
		return
	}
	if next.IsZero() {
		delete(q.rechecks, id)
		return
	}
	r.Attempts, r.NextAttempt = attempts, next
}

type finishedRecheck struct {
	id       string
	attempts int
	next     time.Time
}

func newRecheckStore() *recheckStore {
	return &recheckStore{memStore: newMemStore(), recheckQueue: newRecheckQueue()}
}

func (s *recheckStore) ClaimRechecks(_ context.Context, now time.Time, lease time.Duration, limit int) ([]Recheck, error) {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	return s.claim(now, lease, limit), nil
}

func (s *recheckStore) FinishRecheck(_ context.Context, id string, attempts int, next time.Time) error {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	s.finish(id, attempts, next)
	return nil
}

func (s *recheckStore) RecordSuperseding(ctx context.Context, prevID string, d Decision, _ []Callback) error {
	_, _, err := s.RecordDecision(ctx, d)
	return err
}

func (s *recheckStore) CloseReview(context.Context, string, Review, *Decision, []Callback) error {
	return nil
}

func (s *recheckStore) pending() int {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	return len(s.rechecks)
}

// queue records an unavailable decision for app and queues its recheck,
// due at once.
func (s *recheckStore) queue(t *testing.T, app Application, now time.Time) {
	t.Helper()
	d := Decision{ID: "dec-" + app.ID, Application: app, Outcome: OutcomeReview, DecidedAt: now,
		Reasons: []Reason{{Code: ReasonRegistryUnavailable}}, WebhookID: app.ID}
	if _, _, err := s.RecordDecision(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	s.rechecks[d.ID] = &Recheck{DecisionID: d.ID, NextAttempt: now, Until: now.Add(24 * time.Hour)}
}

// countingRegistry answers every NIB and NIK as compliant, or fails with
// failCode, and counts calls per key.
type countingRegistry struct {
	mu       sync.Mutex
	calls    map[string]int
	failCode string
}

func (r *countingRegistry) count(key string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[key]++
	if r.failCode != "" {
		return Errorf(KindUnavailable, r.failCode, "fake")
	}
	return nil
}

func (r *countingRegistry) Employer(_ context.Context, nib string) (EmployerLookup, error) {
	if err := r.count("employer:" + nib); err != nil {
		return EmployerLookup{}, err
	}
	return employer("1", 2, 0), nil
}

func (r *countingRegistry) Participant(_ context.Context, nik string) (ParticipantLookup, error) {
	if err := r.count("participant:" + nik); err != nil {
		return ParticipantLookup{}, err
	}
	return ParticipantLookup{Found: true, Fetch: live, Participant: Participant{NIK: nik, Status: "0", Segment: "13"}}, nil
}

// companyApp is an application of company c (two workers) numbered i.
func companyApp(c, i int) Application {
	a := app(PermitBusinessLicense, 2)
	a.ID = fmt.Sprintf("APP-%d-%d", c, i)
	a.NIB = fmt.Sprintf("91200000000%02d", c)
	a.Workers = []Worker{{NIK: fmt.Sprintf("12750141019%03d01", c)}, {NIK: fmt.Sprintf("12750141019%03d02", c)}}
	return a
}

// Several applications of one company cost one employer lookup and one
// lookup per worker.
func TestRecheckLooksEachCompanyUpOnce(t *testing.T) {
	st := newRecheckStore()
	reg := &countingRegistry{calls: map[string]int{}}
	s := &Service{Registry: reg, Store: st, Policy: DefaultPolicy(), Now: func() time.Time { return t0 }}
	for c := range 3 {
		for i := range 4 {
			st.queue(t, companyApp(c, i), t0)
		}
	}
	n, err := s.RecheckDue(context.Background(), st, time.Minute, 100)
	if err != nil || n != 12 {
		t.Fatalf("RecheckDue = %d, %v; want 12", n, err)
	}
	if st.pending() != 0 {
		t.Fatalf("%d rechecks left", st.pending())
	}
	if len(reg.calls) != 9 {
		t.Errorf("looked up %d keys, want 9 (3 employers, 6 workers)", len(reg.calls))
	}
	for key, n := range reg.calls {
		if n != 1 {
			t.Errorf("%s looked up %d times, want once", key, n)
		}
	}
}

// A recheck that BPJS failed backs off and counts an attempt; one that only
// could not get a rate token (live traffic had it) comes back soon and
// counts none.
func TestRecheckDefersThrottledLookups(t *testing.T) {
	tests := []struct {
		code         string
		wantAttempts int
		wantNext     time.Duration
		wantPass     RecheckPass
	}{
		{"bpjs_unavailable", 1, recheckBackoff(1), RecheckPass{Claimed: 1, Retried: 1}},
		{"bpjs_circuit_open", 1, recheckBackoff(1), RecheckPass{Claimed: 1, Retried: 1}},
		{"bpjs_rate_limited", 0, recheckDeferral, RecheckPass{Claimed: 1, Deferred: 1}},
		{"bpjs_busy", 0, recheckDeferral, RecheckPass{Claimed: 1, Deferred: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			st := newRecheckStore()
			s := &Service{Registry: &countingRegistry{calls: map[string]int{}, failCode: tt.code}, Store: st,
				Policy: DefaultPolicy(), Now: func() time.Time { return t0 }}
			st.queue(t, companyApp(1, 1), t0)
			p, err := s.recheckPass(context.Background(), st, RecheckOptions{}.withDefaults())
			if err != nil || p != tt.wantPass {
				t.Fatalf("pass = %+v, %v; want %+v", p, err, tt.wantPass)
			}
			f := st.finished[0]
			if f.attempts != tt.wantAttempts || !f.next.Equal(t0.Add(tt.wantNext)) {
				t.Errorf("finished with %d attempts, next in %v; want %d, %v", f.attempts, f.next.Sub(t0), tt.wantAttempts, tt.wantNext)
			}
		})
	}
}

// RunRechecks claims batch after batch while they come back full: a backlog
// larger than a batch drains before the first interval has passed.
func TestRunRechecksDrainsMoreThanOneBatchPerInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := newRecheckStore()
		reg := &countingRegistry{calls: map[string]int{}}
		s := &Service{Registry: reg, Store: st, Policy: DefaultPolicy()}
		for c := range 10 {
			st.queue(t, companyApp(c, 0), time.Now())
		}
		var mu sync.Mutex
		var passes []RecheckPass
		ctx, cancel := context.WithCancel(context.Background())
		go s.RunRechecks(ctx, st, RecheckOptions{Interval: time.Hour, Batch: 3, Concurrency: 2,
			Observe: func(p RecheckPass) { mu.Lock(); passes = append(passes, p); mu.Unlock() }})
		synctest.Wait() // every goroutine now waits for the interval
		if n := st.pending(); n != 0 {
			t.Errorf("%d of 10 rechecks left before the first interval passed", n)
		}
		mu.Lock()
		if len(passes) != 4 || passes[3].Claimed != 1 {
			t.Errorf("passes = %+v, want 3 full batches and one of 1", passes)
		}
		mu.Unlock()
		cancel()
	})
}
