package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// enqueue records a decision superseding a new one, with n callbacks of it,
// the i-th due at due(i), and returns the callbacks' decision.
func enqueue(t *testing.T, s PeopleStore, n int, due func(i int) time.Time) gate.Decision {
	t.Helper()
	prev := mustRecord(t, s, decisionFor(fmt.Sprintf("OSS-%s", gate.NewDecisionID(t0)), "1275", gate.OutcomeDeny))
	d := successor(prev, gate.OutcomeAllow)
	cbs := make([]gate.Callback, n)
	for i := range cbs {
		cbs[i] = callbackFor(d, due(i))
		cbs[i].URL = fmt.Sprintf("https://licensing.example/hooks/%d", i)
	}
	if err := s.RecordSuperseding(t.Context(), prev.ID, d, cbs); err != nil {
		t.Fatalf("RecordSuperseding with callbacks: %v", err)
	}
	return d
}

func urls(cbs []gate.Callback) []string {
	return pluck(cbs, func(c gate.Callback) string { return c.URL })
}

func hookURLs(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("https://licensing.example/hooks/%d", i))
	}
	return out
}

func testClaimCallbacks(t *testing.T, s PeopleStore) {
	second := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	enqueue(t, s, 10, second)

	checkIDs(t, "nothing due yet", urls(claimCallbacks(t, s, t0.Add(-time.Second), time.Minute, 10)), nil)
	// The longest due first, at most limit.
	checkIDs(t, "first claim", urls(claimCallbacks(t, s, second(4), time.Minute, 2)), hookURLs(0, 2))

	// Concurrent claimers get disjoint sets.
	const claimers = 8
	var mu sync.Mutex
	byURL := map[string]int{}
	Together(claimers, func(i int) {
		cbs, err := s.ClaimCallbacks(t.Context(), second(20), time.Minute, 2)
		if err != nil {
			t.Errorf("claimer %d: %v", i, err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, c := range cbs {
			byURL[c.URL]++
		}
	})
	for _, u := range hookURLs(2, 10) {
		if byURL[u] != 1 {
			t.Errorf("concurrent claimers got %s %d times, want once", u, byURL[u])
		}
	}
	if len(byURL) != 8 {
		t.Errorf("concurrent claimers got %d callbacks, want the 8 not leased", len(byURL))
	}

	// Leased callbacks are not claimed again until their lease ends.
	checkIDs(t, "all leased", urls(claimCallbacks(t, s, second(30), time.Minute, 10)), nil)
	checkIDs(t, "first lease ended", urls(claimCallbacks(t, s, second(64), time.Minute, 10)), hookURLs(0, 2))
	checkIDs(t, "second lease ended", urls(claimCallbacks(t, s, second(80), time.Minute, 10)), hookURLs(2, 10))

	_, err := s.ClaimCallbacks(t.Context(), t0, 0, 10)
	checkCode(t, "ClaimCallbacks with no lease", err, gate.KindInvalid, "")
}

func testFinishCallback(t *testing.T, s PeopleStore) {
	d := enqueue(t, s, 4, func(int) time.Time { return t0 })
	cbs := claimCallbacks(t, s, t0, time.Minute, 10)
	if len(cbs) != 4 {
		t.Fatalf("claimed %d callbacks, want 4", len(cbs))
	}
	byURL := map[string]gate.Callback{}
	for _, c := range cbs {
		byURL[c.URL] = c
	}
	finish := func(i int, state gate.CallbackState, attempts int, next time.Time, lastError string) {
		t.Helper()
		c := byURL[hookURLs(i, i+1)[0]]
		c.State, c.Attempts, c.NextAttempt, c.LastError = state, attempts, next, lastError
		if err := s.FinishCallback(t.Context(), c); err != nil {
			t.Fatalf("FinishCallback(%d): %v", i, err)
		}
	}
	finish(0, gate.CallbackDelivered, 1, t0, "")
	finish(1, gate.CallbackPending, 1, t0.Add(5*time.Minute), "HTTP 503")
	finish(2, gate.CallbackFailed, 1, t0, "HTTP 410")
	finish(3, gate.CallbackPending, 1, t0.Add(time.Second), "timeout")

	// Finishing ends the lease: callback 3 is due again before the lease's end.
	checkIDs(t, "retry due before the lease's end", urls(claimCallbacks(t, s, t0.Add(time.Second), time.Minute, 10)),
		hookURLs(3, 4))
	finish(3, gate.CallbackDelivered, 2, t0.Add(time.Second), "")
	checkIDs(t, "retry not yet due", urls(claimCallbacks(t, s, t0.Add(2*time.Minute), time.Minute, 10)), nil)
	got := claimCallbacks(t, s, t0.Add(5*time.Minute), time.Minute, 10)
	checkIDs(t, "retry due", urls(got), hookURLs(1, 2))
	if len(got) == 1 {
		c := got[0]
		if c.Attempts != 1 || c.LastError != "HTTP 503" || !near(c.NextAttempt, t0.Add(5*time.Minute)) ||
			c.State != gate.CallbackPending || c.DecisionID != d.ID {
			t.Errorf("retried callback = %+v, want attempts 1, last error HTTP 503, due at +5m", c)
		}
	}
	finish(1, gate.CallbackFailed, 2, t0.Add(5*time.Minute), "HTTP 410")
	// Delivered and failed callbacks are never claimed again.
	checkIDs(t, "a year later", urls(claimCallbacks(t, s, t0.AddDate(1, 0, 0), time.Minute, 10)), nil)

	err := s.FinishCallback(t.Context(), gate.Callback{ID: "cb_unknown", State: gate.CallbackDelivered})
	checkCode(t, "FinishCallback of an unknown callback", err, gate.KindNotFound, "")
}

func testRechecks(t *testing.T, s PeopleStore) {
	minute := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	d1 := decisionFor("OSS-1", "1275", gate.OutcomeReview)
	d1.RecheckAt, d1.RecheckUntil = minute(1), minute(60)
	mustRecord(t, s, d1)
	mustRecord(t, s, decisionFor("OSS-2", "1275", gate.OutcomeDeny)) // no recheck
	d3 := decisionFor("OSS-3", "1275", gate.OutcomeReview)
	d3.RecheckAt = minute(2)
	mustRecord(t, s, d3)

	rechecks := func(now time.Time) []string {
		t.Helper()
		var out []string
		for _, r := range claimRechecks(t, s, now, 5*time.Minute, 10) {
			out = append(out, r.DecisionID)
		}
		return out
	}
	checkIDs(t, "nothing due", rechecks(t0), nil)
	got := claimRechecks(t, s, minute(1), 5*time.Minute, 10)
	if len(got) != 1 || got[0].DecisionID != d1.ID || got[0].Attempts != 0 ||
		!near(got[0].NextAttempt, minute(1)) || !near(got[0].Until, minute(60)) {
		t.Fatalf("rechecks due at +1m: %+v, want %s due at +1m until +60m", got, d1.ID)
	}
	checkIDs(t, "leased", rechecks(minute(2)), []string{d3.ID})
	if err := s.FinishRecheck(t.Context(), d1.ID, 1, minute(10)); err != nil {
		t.Fatalf("FinishRecheck with a next attempt: %v", err)
	}
	if err := s.FinishRecheck(t.Context(), d3.ID, 1, time.Time{}); err != nil {
		t.Fatalf("FinishRecheck done: %v", err)
	}
	checkIDs(t, "rescheduled, not yet due", rechecks(minute(9)), nil)
	got = claimRechecks(t, s, minute(10), 5*time.Minute, 10)
	if len(got) != 1 || got[0].DecisionID != d1.ID || got[0].Attempts != 1 || !near(got[0].NextAttempt, minute(10)) {
		t.Fatalf("rechecks due at +10m: %+v, want %s after 1 attempt", got, d1.ID)
	}
	if !got[0].Until.Equal(minute(60)) {
		t.Errorf("Until = %v, want %v", got[0].Until, minute(60))
	}
	if err := s.FinishRecheck(t.Context(), d1.ID, 2, time.Time{}); err != nil {
		t.Fatalf("FinishRecheck done: %v", err)
	}
	checkIDs(t, "all done", rechecks(t0.AddDate(1, 0, 0)), nil)

	err := s.FinishRecheck(t.Context(), d1.ID, 3, minute(20))
	checkCode(t, "FinishRecheck of a removed recheck", err, gate.KindNotFound, "")
	_, err = s.ClaimRechecks(t.Context(), t0, time.Minute, 0)
	checkCode(t, "ClaimRechecks with no limit", err, gate.KindInvalid, "")
}

func testConcurrentClaimRechecks(t *testing.T, s PeopleStore) {
	const n = 6
	want := map[string]bool{}
	for i := range n {
		d := decisionFor(fmt.Sprintf("OSS-%d", i), "1275", gate.OutcomeReview)
		d.RecheckAt = t0
		want[mustRecord(t, s, d).ID] = true
	}
	var mu sync.Mutex
	got := map[string]int{}
	Together(n, func(int) {
		rcs, err := s.ClaimRechecks(t.Context(), t0, time.Minute, 1)
		if err != nil {
			t.Errorf("ClaimRechecks: %v", err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, r := range rcs {
			got[r.DecisionID]++
		}
	})
	for id := range want {
		if got[id] != 1 {
			t.Errorf("recheck of %s claimed %d times, want once", id, got[id])
		}
	}
	checkIDs(t, "after the concurrent claims", func() []string {
		var out []string
		for _, r := range claimRechecks(t, s, t0, time.Minute, 10) {
			out = append(out, r.DecisionID)
		}
		return out
	}(), nil)
}
