package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jkngate/jkngate/gate"
)

func testListReviews(t *testing.T, s PeopleStore) {
	const nib2 = "8120009876543"
	r1 := mustRecord(t, s, decisionFor("OSS-1", "1275", gate.OutcomeDeny))
	d2 := decisionFor("OSS-2", "1272", gate.OutcomeReview)
	d2.NIB = nib2
	r2 := mustRecord(t, s, d2)
	mustRecord(t, s, decisionFor("OSS-3", "1275", gate.OutcomeAllow)) // no review
	mustRecord(t, s, decisionFor("OSS-4", "1275", gate.OutcomeDeny))
	r5 := mustRecord(t, s, decisionFor("OSS-4", "1275", gate.OutcomeDeny)) // supersedes r4, whose review stays open
	d6 := decisionFor("OSS-6", "1275", gate.OutcomeDeny)
	d6.Review = &gate.Review{State: gate.ReviewClosed, Action: gate.ActionUphold, Note: "Tunggakan belum dibayar.",
		By: "reviewer-1", At: t0}
	r6 := mustRecord(t, s, d6)
	r7 := mustRecord(t, s, decisionFor("OSS-7", "3573", gate.OutcomeDeny))

	open := gate.ReviewFilter{Scope: admin, State: gate.ReviewOpen}
	// Without due times (reviews opened before deadlines), open reviews
	// come oldest first.
	checkIDs(t, "open (a superseded open review is not awaiting review)", reviews(t, s, open), ids([]gate.Decision{r1, r2, r5, r7}))
	checkIDs(t, "closed", reviews(t, s, gate.ReviewFilter{Scope: admin, State: gate.ReviewClosed}), []string{r6.ID})
	checkIDs(t, "open by NIB", reviews(t, s, gate.ReviewFilter{Scope: admin, State: gate.ReviewOpen, NIB: nib2}),
		[]string{r2.ID})
	checkIDs(t, "open in province 12",
		reviews(t, s, gate.ReviewFilter{Scope: gate.Scope{Regions: []string{"12"}}, State: gate.ReviewOpen}),
		ids([]gate.Decision{r1, r2, r5}))
	checkIDs(t, "open in 3573",
		reviews(t, s, gate.ReviewFilter{Scope: gate.Scope{Regions: []string{"3573"}}, State: gate.ReviewOpen}),
		[]string{r7.ID})
	checkIDs(t, "closed in 3573",
		reviews(t, s, gate.ReviewFilter{Scope: gate.Scope{Regions: []string{"3573"}}, State: gate.ReviewClosed}), nil)
	checkIDs(t, "open in the zero scope", reviews(t, s, gate.ReviewFilter{State: gate.ReviewOpen}), nil)

	first := reviews(t, s, gate.ReviewFilter{Scope: admin, State: gate.ReviewOpen, Limit: 2})
	checkIDs(t, "first page", first, ids([]gate.Decision{r1, r2}))
	if len(first) == 2 {
		checkIDs(t, "second page",
			reviews(t, s, gate.ReviewFilter{Scope: admin, State: gate.ReviewOpen, Limit: 2, After: first[1]}),
			ids([]gate.Decision{r5, r7}))
	}

	closed, err := s.ListReviews(t.Context(), gate.ReviewFilter{Scope: admin, State: gate.ReviewClosed})
	if err != nil || len(closed) != 1 {
		t.Fatalf("ListReviews closed: %d, %v; want 1", len(closed), err)
	}
	if d := diff(r6, closed[0]); d != "" {
		t.Errorf("ListReviews returned a different decision (-recorded +listed):\n%s", d)
	}

	_, err = s.ListReviews(t.Context(), gate.ReviewFilter{Scope: admin, State: "pending"})
	checkCode(t, "ListReviews of an unknown state", err, gate.KindInvalid, "")
}

// testReviewDeadlines: the open queue comes soonest due first (also across
// pages), overdue keeps those past due at Now, and CountReviews agrees.
func testReviewDeadlines(t *testing.T, s PeopleStore) {
	due := func(app string, in time.Duration) gate.Decision {
		d := decisionFor(app, "1275", gate.OutcomeReview)
		d.Review.DueAt = t0.Add(in)
		return mustRecord(t, s, d)
	}
	late := due("OSS-1", 72*time.Hour)
	overdue := due("OSS-2", -time.Hour)
	soon := due("OSS-3", time.Hour)
	longOverdue := due("OSS-4", -48*time.Hour)
	open := gate.ReviewFilter{Scope: admin, State: gate.ReviewOpen, Now: t0}
	checkIDs(t, "open by due time", reviews(t, s, open), ids([]gate.Decision{longOverdue, overdue, soon, late}))
	page := open
	page.Limit = 3
	first := reviews(t, s, page)
	if len(first) == 3 {
		page.After = first[2]
		checkIDs(t, "second page by due time", reviews(t, s, page), []string{late.ID})
	}
	past := open
	past.Overdue = true
	checkIDs(t, "overdue, oldest first", reviews(t, s, past), ids([]gate.Decision{longOverdue, overdue}))
	if n, err := s.CountReviews(t.Context(), past); err != nil || n != 2 {
		t.Errorf("CountReviews overdue = %d, %v; want 2", n, err)
	}
	if n, err := s.CountReviews(t.Context(), open); err != nil || n != 4 {
		t.Errorf("CountReviews open = %d, %v; want 4", n, err)
	}
	got := mustDecision(t, s, soon.ID)
	if got.Review == nil || !got.Review.DueAt.Equal(soon.Review.DueAt) {
		t.Errorf("due_at did not round-trip: %+v", got.Review)
	}
}

// review returns a closing review by reviewer.
func review(action gate.ReviewAction, reviewer string) gate.Review {
	return gate.Review{State: gate.ReviewClosed, Action: action, Note: "Sudah diperiksa dengan data terbaru.",
		By: reviewer, At: time.Date(2026, 11, 23, 9, 30, 15, 987_654_321, wib)}
}

func testCloseReviewUphold(t *testing.T, s PeopleStore) {
	d := mustRecord(t, s, decisionFor("OSS-1", "1275", gate.OutcomeDeny))
	r := review(gate.ActionUphold, "reviewer-1")
	if err := s.CloseReview(t.Context(), d.ID, r, nil, []gate.Callback{callbackFor(d, t0)}); err != nil {
		t.Fatalf("CloseReview: %v", err)
	}

	got := mustDecision(t, s, d.ID)
	if diff := cmp.Diff(&r, got.Review, cmp.Comparer(near)); diff != "" {
		t.Errorf("Review after uphold (-want +got):\n%s", diff)
	}
	checkUTC(t, got)
	want := d
	want.Review = &r
	if df := diff(want, got); df != "" {
		t.Errorf("the upheld decision changed beyond its review (-want +got):\n%s", df)
	}
	checkIDs(t, "head after uphold",
		list(t, s, gate.DecisionFilter{Scope: admin, HeadsOnly: true, ApplicationID: "OSS-1"}), []string{d.ID})
	checkIDs(t, "open queue", reviews(t, s, gate.ReviewFilter{Scope: admin, State: gate.ReviewOpen}), nil)
	checkIDs(t, "closed queue", reviews(t, s, gate.ReviewFilter{Scope: admin, State: gate.ReviewClosed}), []string{d.ID})

	cbs := claimCallbacks(t, s, t0, time.Minute, 10)
	if len(cbs) != 1 {
		t.Fatalf("ClaimCallbacks after uphold: %d callbacks, want 1", len(cbs))
	}
	c := cbs[0]
	if c.ID == "" || c.DecisionID != d.ID || c.ClientID != d.ClientID || c.URL != d.CallbackURL ||
		c.State != gate.CallbackPending || c.Attempts != 0 || !near(c.NextAttempt, t0) || c.CreatedAt.IsZero() {
		t.Errorf("claimed callback %+v, want a pending callback of %s to %s with an id", c, d.ID, d.CallbackURL)
	}
}

func testCloseReviewOverride(t *testing.T, s PeopleStore) {
	d := mustRecord(t, s, decisionFor("OSS-1", "1275", gate.OutcomeDeny))
	next := successor(d, gate.OutcomeAllow)
	next.Reasons = []gate.Reason{{Code: gate.ReasonOverridden, Outcome: gate.OutcomeAllow, Message: "Diizinkan peninjau."}}
	r := review(gate.ActionOverride, "reviewer-1")
	if err := s.CloseReview(t.Context(), d.ID, r, &next, []gate.Callback{callbackFor(next, t0)}); err != nil {
		t.Fatalf("CloseReview: %v", err)
	}

	if got := mustDecision(t, s, d.ID); got.Review == nil || got.Review.State != gate.ReviewClosed ||
		got.Review.Action != gate.ActionOverride || got.Review.By != "reviewer-1" {
		t.Errorf("reviewed decision's Review = %+v, want closed by the override", got.Review)
	}
	gotNext := mustDecision(t, s, next.ID)
	want := next
	want.Supersedes = d.ID
	if df := diff(want, gotNext); df != "" {
		t.Errorf("the overriding decision reads back differently (-want +got):\n%s", df)
	}
	checkIDs(t, "chain", list(t, s, gate.DecisionFilter{Scope: admin, ApplicationID: "OSS-1"}), []string{next.ID, d.ID})
	checkIDs(t, "head", list(t, s, gate.DecisionFilter{Scope: admin, HeadsOnly: true, ApplicationID: "OSS-1"}),
		[]string{next.ID})
	checkIDs(t, "open queue", reviews(t, s, gate.ReviewFilter{Scope: admin, State: gate.ReviewOpen}), nil)

	cbs := claimCallbacks(t, s, t0, time.Minute, 10)
	if len(cbs) != 1 || cbs[0].DecisionID != next.ID {
		t.Errorf("ClaimCallbacks after override: %+v, want one callback of %s", cbs, next.ID)
	}

	// The chain goes on from the overriding decision.
	later := mustRecord(t, s, decisionFor("OSS-1", "1275", gate.OutcomeAllow))
	if later.Supersedes != next.ID {
		t.Errorf("the next delivery supersedes %q, want the overriding decision %s", later.Supersedes, next.ID)
	}
}

func testAlreadyReviewed(t *testing.T, s PeopleStore) {
	d := mustRecord(t, s, decisionFor("OSS-1", "1275", gate.OutcomeDeny))
	if err := s.CloseReview(t.Context(), d.ID, review(gate.ActionUphold, "reviewer-1"), nil, nil); err != nil {
		t.Fatalf("CloseReview: %v", err)
	}
	next := successor(d, gate.OutcomeAllow)
	err := s.CloseReview(t.Context(), d.ID, review(gate.ActionOverride, "reviewer-2"), &next,
		[]gate.Callback{callbackFor(next, t0)})
	checkCode(t, "second review", err, gate.KindConflict, "already_reviewed")
	_, err = s.Decision(t.Context(), next.ID)
	checkNotFound(t, "the losing review's decision", next, err)
	if got := mustDecision(t, s, d.ID); got.Review == nil || got.Review.By != "reviewer-1" {
		t.Errorf("Review after a losing second review = %+v, want the first reviewer's", got.Review)
	}

	// An open review of a superseded decision is not awaiting review.
	old := mustRecord(t, s, decisionFor("OSS-2", "1275", gate.OutcomeDeny))
	mustRecord(t, s, decisionFor("OSS-2", "1275", gate.OutcomeDeny))
	err = s.CloseReview(t.Context(), old.ID, review(gate.ActionUphold, "reviewer-1"), nil, []gate.Callback{callbackFor(old, t0)})
	checkCode(t, "review of a superseded decision", err, gate.KindConflict, "already_reviewed")
	if got := mustDecision(t, s, old.ID); got.Review == nil || got.Review.State != gate.ReviewOpen {
		t.Errorf("superseded decision's Review after a refused review = %+v, want still open", got.Review)
	}

	// A decision without a review has none to close.
	allow := mustRecord(t, s, decisionFor("OSS-3", "1275", gate.OutcomeAllow))
	err = s.CloseReview(t.Context(), allow.ID, review(gate.ActionUphold, "reviewer-1"), nil, nil)
	checkCode(t, "review of a decision without review", err, gate.KindConflict, "already_reviewed")

	err = s.CloseReview(t.Context(), "dec_01JD3Z0000000000000000000", review(gate.ActionUphold, "reviewer-1"), nil, nil)
	checkCode(t, "review of an unknown decision", err, gate.KindNotFound, "")

	if cbs := claimCallbacks(t, s, t0.AddDate(1, 0, 0), time.Minute, 10); len(cbs) != 0 {
		t.Errorf("refused reviews enqueued callbacks: %+v", cbs)
	}
}

func testConcurrentCloseReview(t *testing.T, s PeopleStore) {
	const n = 20
	d := mustRecord(t, s, decisionFor("OSS-1", "1275", gate.OutcomeDeny))
	nexts := make([]gate.Decision, n)
	for i := range nexts {
		nexts[i] = successor(d, gate.OutcomeAllow)
	}
	errs := make([]error, n)
	Together(n, func(i int) {
		errs[i] = s.CloseReview(t.Context(), d.ID, review(gate.ActionOverride, fmt.Sprintf("reviewer-%d", i)),
			&nexts[i], []gate.Callback{callbackFor(nexts[i], t0)})
	})

	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Errorf("reviews %d and %d both succeeded", winner, i)
			}
			winner = i
			continue
		}
		checkCode(t, fmt.Sprintf("review %d", i), err, gate.KindConflict, "already_reviewed")
	}
	if winner < 0 {
		t.Fatal("no review succeeded")
	}
	if got := mustDecision(t, s, d.ID); got.Review == nil || got.Review.By != fmt.Sprintf("reviewer-%d", winner) {
		t.Errorf("Review = %+v, want the winner's (reviewer-%d)", got.Review, winner)
	}
	checkIDs(t, "chain", list(t, s, gate.DecisionFilter{Scope: admin, ApplicationID: "OSS-1"}),
		[]string{nexts[winner].ID, d.ID})
	cbs := claimCallbacks(t, s, t0, time.Minute, 100)
	if len(cbs) != 1 || cbs[0].DecisionID != nexts[winner].ID {
		t.Errorf("callbacks %+v, want only the winner's, of %s", cbs, nexts[winner].ID)
	}
}

func testRecordSuperseding(t *testing.T, s PeopleStore) {
	prev := mustRecord(t, s, decisionFor("OSS-1", "1275", gate.OutcomeReview))
	d := successor(prev, gate.OutcomeAllow)
	d.RecheckAt, d.RecheckUntil = t0.Add(time.Minute), t0.Add(time.Hour)
	if err := s.RecordSuperseding(t.Context(), prev.ID, d, []gate.Callback{callbackFor(d, t0)}); err != nil {
		t.Fatalf("RecordSuperseding: %v", err)
	}
	want := d
	want.Supersedes = prev.ID
	want.RecheckAt, want.RecheckUntil = time.Time{}, time.Time{}
	if df := diff(want, mustDecision(t, s, d.ID)); df != "" {
		t.Errorf("the superseding decision reads back differently (-want +got):\n%s", df)
	}
	checkIDs(t, "head", list(t, s, gate.DecisionFilter{Scope: admin, HeadsOnly: true}), []string{d.ID})
	checkIDs(t, "open queue", reviews(t, s, gate.ReviewFilter{Scope: admin, State: gate.ReviewOpen}), nil)
	if cbs := claimCallbacks(t, s, t0, time.Minute, 10); len(cbs) != 1 || cbs[0].DecisionID != d.ID {
		t.Errorf("callbacks %+v, want one of %s", cbs, d.ID)
	}
	if rcs := claimRechecks(t, s, t0.Add(time.Minute), time.Minute, 10); len(rcs) != 1 || rcs[0].DecisionID != d.ID {
		t.Errorf("rechecks %+v, want one of %s", rcs, d.ID)
	}
	// No webhook delivery was answered by it.
	got, err := s.DecisionForWebhook(t.Context(), d.ClientID, "")
	checkNotFound(t, "DecisionForWebhook with an empty webhook id", got, err)

	late := successor(prev, gate.OutcomeDeny)
	err = s.RecordSuperseding(t.Context(), prev.ID, late, []gate.Callback{callbackFor(late, t0)})
	checkCode(t, "superseding a superseded decision", err, gate.KindConflict, "superseded")
	got, err = s.Decision(t.Context(), late.ID)
	checkNotFound(t, "the refused decision", got, err)

	err = s.RecordSuperseding(t.Context(), "dec_01JD3Z0000000000000000000", successor(prev, gate.OutcomeDeny), nil)
	checkCode(t, "superseding an unknown decision", err, gate.KindNotFound, "")

	// The chain goes on, through RecordSuperseding and RecordDecision.
	third := successor(d, gate.OutcomeDeny)
	if err := s.RecordSuperseding(t.Context(), d.ID, third, nil); err != nil {
		t.Fatalf("RecordSuperseding of the head: %v", err)
	}
	fourth := mustRecord(t, s, decisionFor("OSS-1", "1275", gate.OutcomeAllow))
	if fourth.Supersedes != third.ID {
		t.Errorf("the next delivery supersedes %q, want %s", fourth.Supersedes, third.ID)
	}
	if cbs := claimCallbacks(t, s, t0.AddDate(1, 0, 0), time.Minute, 10); len(cbs) != 1 {
		t.Errorf("callbacks after refused calls and expiry: %+v, want only the first one again", cbs)
	}
}
