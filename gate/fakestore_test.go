package gate

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
)

// fakeStore is an in-memory PeopleStore, RecheckStore and WithdrawalStore
// that keeps the promises integrations/testsupport/storetest checks the real stores
// for: one decision per webhook delivery; a new decision supersedes its
// client's current decision of the application; a review closes only while
// it is open and its decision current (one winner); RecordSuperseding only
// while the previous decision is current; successors must be for the same
// client and application; a recheck is enqueued with the decision that asks
// for it. fail makes the named method return an error instead.
type fakeStore struct {
	mu         sync.Mutex
	decisions  map[string]Decision
	webhooks   map[string]string // client\x00webhook -> decision id
	superseded map[string]string // decision id -> the id of the one superseding it
	callbacks  []Callback
	recheckQueue
	audit   []AuditEntry
	stopped map[string]bool // client\x00application withdrawn
	fail    map[string]error
	// beforeWrite, when set, runs at the start of CloseReview and
	// RecordSuperseding, without the lock: a concurrent actor's turn.
	beforeWrite func()
}

func newFakeStore() *fakeStore {
	return &fakeStore{decisions: map[string]Decision{}, webhooks: map[string]string{}, superseded: map[string]string{},
		recheckQueue: newRecheckQueue(), stopped: map[string]bool{}, fail: map[string]error{}}
}

var (
	_ PeopleStore     = (*fakeStore)(nil)
	_ RecheckStore    = (*fakeStore)(nil)
	_ WithdrawalStore = (*fakeStore)(nil)
)

func notFoundErr() error { return &Error{Kind: KindNotFound, Code: "not_found", Message: "not found"} }

// current returns the id of the client's decision of the application that
// no other supersedes, or "".
func (s *fakeStore) current(clientID, applicationID string) string {
	head := ""
	for id, d := range s.decisions {
		if d.ClientID == clientID && d.ApplicationID == applicationID && s.superseded[id] == "" && id > head {
			head = id
		}
	}
	return head
}

// insert records d, enqueuing its recheck; d.RecheckAt is not kept, as
// the real stores do not read it back.
func (s *fakeStore) insert(d Decision) Decision {
	if !d.RecheckAt.IsZero() {
		s.rechecks[d.ID] = &Recheck{DecisionID: d.ID, NextAttempt: d.RecheckAt, Until: d.RecheckUntil}
	}
	d.RecheckAt, d.RecheckUntil = time.Time{}, time.Time{}
	if d.Supersedes != "" {
		s.superseded[d.Supersedes] = d.ID
	}
	s.decisions[d.ID] = d
	if d.WebhookID != "" {
		s.webhooks[d.ClientID+"\x00"+d.WebhookID] = d.ID
	}
	return d
}

func (s *fakeStore) RecordDecision(_ context.Context, d Decision) (Decision, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail["RecordDecision"]; err != nil {
		return Decision{}, false, err
	}
	if id, ok := s.webhooks[d.ClientID+"\x00"+d.WebhookID]; ok {
		return s.decisions[id], false, nil
	}
	d.Supersedes = s.current(d.ClientID, d.ApplicationID)
	return s.insert(d), true, nil
}

func (s *fakeStore) DecisionForWebhook(_ context.Context, clientID, webhookID string) (Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.webhooks[clientID+"\x00"+webhookID]; ok {
		return s.decisions[id], nil
	}
	return Decision{}, notFoundErr()
}

func (s *fakeStore) Decision(_ context.Context, id string) (Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail["Decision"]; err != nil {
		return Decision{}, err
	}
	if d, ok := s.decisions[id]; ok {
		return d, nil
	}
	return Decision{}, notFoundErr()
}

func (s *fakeStore) Ping(context.Context) error { return nil }

// successorOf checks next against prev as both real stores do.
func successorOf(prev Decision, next *Decision) error {
	if next != nil && (next.ClientID != prev.ClientID || next.ApplicationID != prev.ApplicationID) {
		return &Error{Kind: KindInvalid, Code: "invalid_successor", Message: "not the same client and application"}
	}
	return nil
}

func (s *fakeStore) CloseReview(_ context.Context, id string, r Review, next *Decision, callbacks []Callback) error {
	if s.beforeWrite != nil {
		s.beforeWrite()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail["CloseReview"]; err != nil {
		return err
	}
	d, ok := s.decisions[id]
	if !ok {
		return notFoundErr()
	}
	if d.Review == nil || d.Review.State != ReviewOpen || s.superseded[id] != "" {
		return &Error{Kind: KindConflict, Code: "already_reviewed", Message: "already reviewed"}
	}
	if err := successorOf(d, next); err != nil {
		return err
	}
	d.Review = &r
	s.decisions[id] = d
	if next != nil {
		n := *next
		n.Supersedes = id
		s.insert(n)
	}
	s.enqueue(callbacks)
	return nil
}

func (s *fakeStore) RecordSuperseding(_ context.Context, prevID string, d Decision, callbacks []Callback) error {
	if s.beforeWrite != nil {
		s.beforeWrite()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail["RecordSuperseding"]; err != nil {
		return err
	}
	prev, ok := s.decisions[prevID]
	if !ok {
		return notFoundErr()
	}
	if s.superseded[prevID] != "" {
		return &Error{Kind: KindConflict, Code: "superseded", Message: "superseded"}
	}
	if err := successorOf(prev, &d); err != nil {
		return err
	}
	d.Supersedes = prevID
	s.insert(d)
	s.enqueue(callbacks)
	return nil
}

// inScope reports whether the filter's scope and NIB keep d.
func inScope(sc Scope, nib string, d Decision) bool {
	return sc.Covers(d.RegionCode) && (nib == "" || d.NIB == nib)
}

func (s *fakeStore) ListDecisions(_ context.Context, f DecisionFilter) ([]Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Decision
	for _, d := range s.decisions {
		if inScope(f.Scope, f.NIB, d) && (f.ApplicationID == "" || d.ApplicationID == f.ApplicationID) &&
			(f.After == "" || d.ID < f.After) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b Decision) int { return cmp.Compare(b.ID, a.ID) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func (s *fakeStore) EachDecision(ctx context.Context, f DecisionFilter, fn func(Decision) error) error {
	f.Limit = 0
	all, _ := s.ListDecisions(ctx, f)
	for _, d := range all {
		if err := fn(d); err != nil {
			return err
		}
	}
	return nil
}

func (s *fakeStore) ListReviews(_ context.Context, f ReviewFilter) ([]Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Decision
	for id, d := range s.decisions {
		if d.Review == nil || !inScope(f.Scope, f.NIB, d) || d.Review.State != f.State {
			continue
		}
		if f.State == ReviewOpen && (s.superseded[id] != "" || f.Overdue && !d.Review.Overdue(f.Now)) {
			continue
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Decision) int {
		if f.State == ReviewOpen {
			return cmp.Or(a.Review.DueAt.Compare(b.Review.DueAt), cmp.Compare(a.ID, b.ID))
		}
		return cmp.Compare(b.ID, a.ID)
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func (s *fakeStore) CountReviews(ctx context.Context, f ReviewFilter) (int, error) {
	f.Limit = 0
	out, err := s.ListReviews(ctx, f)
	return len(out), err
}

func (s *fakeStore) DecisionCounts(ctx context.Context, f DecisionFilter) (map[Outcome]int, error) {
	f.Limit = 0
	all, _ := s.ListDecisions(ctx, f)
	counts := map[Outcome]int{}
	for _, d := range all {
		counts[d.Outcome]++
	}
	return counts, nil
}

func (s *fakeStore) RecordAccess(_ context.Context, e AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail["RecordAccess"]; err != nil {
		return err
	}
	s.audit = append(s.audit, e)
	return nil
}

func (s *fakeStore) ListAudit(context.Context, AuditFilter) ([]AuditEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.audit), nil
}

func (s *fakeStore) ListCallbacks(_ context.Context, f CallbackFilter) ([]Callback, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Callback
	for _, c := range slices.Backward(s.callbacks) {
		if (f.State == "" || c.State == f.State) && (f.After == "" || c.ID < f.After) {
			out = append(out, c)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// enqueue adds callbacks to the outbox, with ids as the real stores give.
func (s *fakeStore) enqueue(callbacks []Callback) {
	for _, c := range callbacks {
		if c.ID == "" {
			c.ID = NewCallbackID(c.CreatedAt)
		}
		s.callbacks = append(s.callbacks, c)
	}
}

func (s *fakeStore) RetryCallback(context.Context, string, time.Time) (Callback, error) {
	return Callback{}, notFoundErr()
}

func (s *fakeStore) ClaimRechecks(_ context.Context, now time.Time, lease time.Duration, limit int) ([]Recheck, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail["ClaimRechecks"]; err != nil {
		return nil, err
	}
	return s.claim(now, lease, limit), nil
}

func (s *fakeStore) FinishRecheck(_ context.Context, id string, attempts int, next time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail["FinishRecheck"]; err != nil {
		return err
	}
	s.finish(id, attempts, next)
	return nil
}

func (s *fakeStore) StopApplication(_ context.Context, clientID, applicationID, _ string) (Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	head := s.current(clientID, applicationID)
	if head == "" {
		return Decision{}, notFoundErr()
	}
	s.stopped[clientID+"\x00"+applicationID] = true
	delete(s.rechecks, head)
	return s.decisions[head], nil
}

// recheck returns the queued recheck of decision id, if any.
func (s *fakeStore) recheck(id string) (Recheck, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rechecks[id]
	if !ok {
		return Recheck{}, false
	}
	return *r, true
}
