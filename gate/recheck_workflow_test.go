package gate

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// unavailable submits an application while BPJS is down: a review
// decision with REGISTRY_UNAVAILABLE whose recheck is queued.
func (w *workflow) unavailable(t *testing.T, webhook string) Decision {
	t.Helper()
	d := w.submit(t, webhook, 0, "bpjs_unavailable", OutcomeReview)
	r, ok := w.st.recheck(d.ID)
	if !ok || !r.NextAttempt.Equal(d.DecidedAt.Add(recheckBackoff(0))) || !r.Until.Equal(d.DecidedAt.Add(24*time.Hour)) {
		t.Fatalf("recheck = %+v, %v; want one due in a minute, until a day", r, ok)
	}
	return d
}

func (w *workflow) recheckDue(t *testing.T, want RecheckPass) {
	t.Helper()
	p, err := w.svc.recheckPass(context.Background(), w.st, RecheckOptions{}.withDefaults())
	if err != nil || p != want {
		t.Fatalf("recheck pass = %+v, %v; want %+v", p, err, want)
	}
}

// When BPJS answers again, the recheck records the engine's decision as
// superseding the one made without BPJS, through the decision factory: the
// same client, application and callback, a review when it is not an allow.
func TestRecheckSupersedesWhenBPJSAnswers(t *testing.T) {
	for _, tt := range []struct {
		name    string
		arrears int
		want    Outcome
	}{
		{"compliant", 0, OutcomeAllow},
		{"in arrears", 2, OutcomeDeny},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorkflow(t)
			old := w.unavailable(t, "wh-1")
			w.advance(2 * time.Minute)
			w.reg.set(tt.arrears, "")
			w.recheckDue(t, RecheckPass{Claimed: 1, Superseded: 1})

			heads, _ := w.st.ListDecisions(context.Background(), DecisionFilter{Scope: Scope{All: true}, Limit: 1})
			next := heads[0]
			now := t0.Add(2 * time.Minute)
			checkSuccessor(t, next, old, now)
			if next.Outcome != tt.want || next.HasReason(ReasonRegistryUnavailable) {
				t.Errorf("recheck decided %s %v, want %s", next.Outcome, codes(next), tt.want)
			}
			wantReview := tt.want != OutcomeAllow
			if (next.Review != nil) != wantReview || wantReview && (next.Review.State != ReviewOpen ||
				!next.Review.DueAt.Equal(DefaultPolicy().ReviewDue(now))) {
				t.Errorf("review = %+v, want open: %v", next.Review, wantReview)
			}
			if _, queued := w.st.recheck(old.ID); queued {
				t.Error("the recheck is still queued")
			}
			if _, queued := w.st.recheck(next.ID); queued {
				t.Error("the recheck's own decision was queued for a recheck")
			}
			if cbs := w.st.callbacks; len(cbs) != 1 || cbs[0].DecisionID != next.ID || cbs[0].URL != callbackURL {
				t.Errorf("callbacks = %+v, want one for %s", cbs, next.ID)
			}
			if got := w.toldIDs(); !slices.Equal(got, []string{old.ID, next.ID}) {
				t.Errorf("OnDecision told of %v, want %v", got, []string{old.ID, next.ID})
			}
		})
	}
}

// A recheck leaves the queue without a new decision when its decision was
// superseded meanwhile (the later decision stands), no longer exists, or
// its worker data was erased.
func TestRecheckClosesWithoutADecision(t *testing.T) {
	for _, tt := range []struct {
		name   string
		before func(t *testing.T, w *workflow, old Decision)
	}{
		{"superseded by a resubmission", func(t *testing.T, w *workflow, old Decision) {
			// The resubmission is answered while BPJS is down too; the
			// store finds it when the recheck tries to supersede.
			w.st.beforeWrite = func() {
				w.st.beforeWrite = nil
				w.st.mu.Lock()
				defer w.st.mu.Unlock()
				later := old
				later.ID, later.WebhookID, later.Supersedes, later.Review = NewDecisionID(t0.Add(time.Minute)), "wh-2", old.ID, nil
				w.st.insert(later)
			}
		}},
		{"reviewed meanwhile", func(t *testing.T, w *workflow, old Decision) {
			if _, err := w.people.Review(context.Background(), reviewer, old.ID, ActionUphold, "Sudah diperiksa dengan teliti."); err != nil {
				t.Fatal(err)
			}
		}},
		{"gone", func(t *testing.T, w *workflow, old Decision) {
			w.st.mu.Lock()
			delete(w.st.decisions, old.ID)
			w.st.mu.Unlock()
		}},
		{"erased", func(t *testing.T, w *workflow, old Decision) {
			w.st.mu.Lock()
			d := w.st.decisions[old.ID]
			d.Application.Workers = []Worker{{NIK: MaskNIK("1275014101900001")}}
			w.st.decisions[old.ID] = d
			w.st.mu.Unlock()
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorkflow(t)
			old := w.unavailable(t, "wh-1")
			tt.before(t, w, old)
			told := len(w.toldIDs())
			w.advance(2 * time.Minute)
			w.reg.set(0, "")
			w.recheckDue(t, RecheckPass{Claimed: 1, Closed: 1})
			if _, queued := w.st.recheck(old.ID); queued {
				t.Error("the recheck is still queued")
			}
			all, _ := w.st.ListDecisions(context.Background(), DecisionFilter{Scope: Scope{All: true}})
			for _, d := range all {
				if d.DecidedAt.Equal(t0.Add(2 * time.Minute)) {
					t.Errorf("a closed recheck recorded %s (%s)", d.ID, d.Outcome)
				}
			}
			if len(w.toldIDs()) != told {
				t.Errorf("OnDecision told of %v", w.toldIDs())
			}
		})
	}
}

// While BPJS still fails, the recheck backs off and counts an attempt,
// until its Until: then it gives up and the open review is for people.
func TestRecheckRetriesThenGivesUp(t *testing.T) {
	w := newWorkflow(t)
	old := w.unavailable(t, "wh-1")
	w.advance(time.Minute)
	w.recheckDue(t, RecheckPass{Claimed: 1, Retried: 1})
	r, _ := w.st.recheck(old.ID)
	if r.Attempts != 1 || !r.NextAttempt.Equal(t0.Add(time.Minute+recheckBackoff(1))) {
		t.Errorf("after a failed recheck: %+v, want attempt 1, next in %v", r, recheckBackoff(1))
	}
	w.recheckDue(t, RecheckPass{}) // not due yet

	w.advance(23*time.Hour + 57*time.Minute) // the next backoff (4 min) ends past Until
	w.recheckDue(t, RecheckPass{Claimed: 1, Closed: 1})
	if _, queued := w.st.recheck(old.ID); queued {
		t.Error("the recheck is still queued past its Until")
	}
	if got := w.stored(t, old.ID); got.Review.State != ReviewOpen || len(w.st.decisions) != 1 {
		t.Errorf("giving up changed the decision: %+v", got.Review)
	}
}

// A store error leaves the recheck to its lease (another pass retries it),
// and counts as failed; a recheck throttled by the registry's own rate
// limit comes back soon without counting an attempt.
func TestRecheckFailuresAndDeferrals(t *testing.T) {
	down := &Error{Kind: KindUnavailable, Code: "store_unavailable", Message: "down"}
	for _, tt := range []struct {
		name     string
		failCode string
		fail     string
		want     RecheckPass
		attempts int
		next     time.Duration // from now; zero: left to its lease
	}{
		{"decision unreadable", "", "Decision", RecheckPass{Claimed: 1, Failed: 1}, 0, 0},
		{"successor not recorded", "", "RecordSuperseding", RecheckPass{Claimed: 1, Failed: 1}, 0, 0},
		{"not finished", "bpjs_unavailable", "FinishRecheck", RecheckPass{Claimed: 1, Failed: 1}, 0, 0},
		{"throttled", "bpjs_rate_limited", "", RecheckPass{Claimed: 1, Deferred: 1}, 0, recheckDeferral},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorkflow(t)
			old := w.unavailable(t, "wh-1")
			w.advance(time.Minute)
			w.reg.set(0, tt.failCode)
			if tt.fail != "" {
				w.st.fail[tt.fail] = down
			}
			w.recheckDue(t, tt.want)
			r, queued := w.st.recheck(old.ID)
			if !queued || r.Attempts != tt.attempts {
				t.Fatalf("recheck = %+v (queued %v), want queued with %d attempts", r, queued, tt.attempts)
			}
			if tt.next == 0 {
				if !r.NextAttempt.Equal(t0.Add(time.Minute)) {
					t.Errorf("a failed recheck was rescheduled to %v", r.NextAttempt)
				}
				delete(w.st.fail, tt.fail)
				w.recheckDue(t, RecheckPass{}) // leased: not claimed again at once
				return
			}
			if !r.NextAttempt.Equal(t0.Add(time.Minute + tt.next)) {
				t.Errorf("next attempt %v, want in %v", r.NextAttempt, tt.next)
			}
		})
	}
}

// RecheckDue reports how many it claimed, and a queue it cannot read.
func TestRecheckDue(t *testing.T) {
	w := newWorkflow(t)
	w.unavailable(t, "wh-1")
	w.advance(time.Minute)
	w.reg.set(0, "")
	if n, err := w.svc.RecheckDue(context.Background(), w.st, time.Minute, 10); n != 1 || err != nil {
		t.Errorf("RecheckDue = %d, %v; want 1, nil", n, err)
	}
	w.st.fail["ClaimRechecks"] = &Error{Kind: KindUnavailable, Code: "store_unavailable", Message: "down"}
	if _, err := w.svc.RecheckDue(context.Background(), w.st, time.Minute, 10); KindOf(err) != KindUnavailable {
		t.Errorf("RecheckDue with the queue down = %v, want unavailable", err)
	}
}

// RunRechecks waits the interval after a pass that failed, and only the
// deferral after one that was throttled.
func TestRunRechecksWaits(t *testing.T) {
	for _, tt := range []struct {
		name     string
		failCode string
		claimErr bool
		wait     time.Duration
	}{
		{"queue down", "", true, time.Hour},
		{"throttled", "bpjs_rate_limited", false, recheckDeferral},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWorkflow(t)
				w.svc.Now = nil // the bubble's clock
				w.reg.set(0, tt.failCode)
				w.st.queueNow(t, "dec_01JD3Z0000000000000000000")
				if tt.claimErr {
					w.st.fail["ClaimRechecks"] = &Error{Kind: KindUnavailable, Code: "store_unavailable", Message: "down"}
				}
				var mu sync.Mutex
				var passes []time.Time
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				start := time.Now()
				go w.svc.RunRechecks(ctx, w.st, RecheckOptions{Interval: time.Hour,
					Observe: func(RecheckPass) { mu.Lock(); passes = append(passes, time.Now()); mu.Unlock() }})
				time.Sleep(tt.wait + time.Millisecond) // fake time: the bubble advances it
				synctest.Wait()
				mu.Lock()
				defer mu.Unlock()
				if len(passes) != 2 || passes[1].Sub(start) != tt.wait {
					t.Errorf("passes at %v, want two, the second after %v", passes, tt.wait)
				}
			})
		})
	}
}

// queueNow records a decision for app() and queues its recheck, due at
// once.
func (s *fakeStore) queueNow(t *testing.T, id string) {
	t.Helper()
	a := app(PermitBusinessLicense, 2, "1275014101900001", "1275014101900002")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.insert(Decision{ID: id, ClientID: "client-1", ApplicationID: a.ID, NIB: a.NIB, RegionCode: a.RegionCode,
		Application: a, Outcome: OutcomeReview, Review: &Review{State: ReviewOpen},
		Reasons: []Reason{{Code: ReasonRegistryUnavailable}}, RecheckAt: time.Now(), RecheckUntil: time.Now().Add(time.Hour)})
}
