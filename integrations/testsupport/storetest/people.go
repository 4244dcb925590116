package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// PeopleStore is what the people's side needs from a store: decisions,
// their queries and reviews, the access trail, the callback outbox and the
// recheck queue.
type PeopleStore interface {
	gate.PeopleStore
	gate.Outbox
	gate.RecheckQueue
}

// RunPeople runs the suite of the people's side: queries and their scope,
// reviews, supersession, the outbox, rechecks and the access trail. open
// must return a fresh, empty, migrated store for each subtest, and register
// its cleanup with t.Cleanup. Claims take the suite's own clock (times in
// November 2026), so no test sleeps.
func RunPeople(t *testing.T, open func(t *testing.T) PeopleStore) {
	runSuite(t, open, []suiteTest[PeopleStore]{
		{"ScopeLimitsEveryQuery", testScope},
		{"ListFilters", testListFilters},
		{"ListLimit", testListLimit},
		{"KeysetPaginationWithInserts", testKeysetPagination},
		{"HeadsOnly", testHeadsOnly},
		{"EachDecision", testEachDecision},
		{"DecisionCounts", testDecisionCounts},
		{"ListReviews", testListReviews},
		{"ReviewDeadlines", testReviewDeadlines},
		{"CloseReviewUphold", testCloseReviewUphold},
		{"CloseReviewOverride", testCloseReviewOverride},
		{"CloseReviewAlreadyReviewed", testAlreadyReviewed},
		{"ConcurrentCloseReviewOneWinner", testConcurrentCloseReview},
		{"RecordSuperseding", testRecordSuperseding},
		{"QueriesAcrossClients", testQueriesAcrossClients},
		{"ClaimCallbacksLeases", testClaimCallbacks},
		{"FinishCallback", testFinishCallback},
		{"Deliveries", testDeliveries},
		{"Rechecks", testRechecks},
		{"ConcurrentClaimRechecks", testConcurrentClaimRechecks},
		{"DueRechecks", testDueRechecks},
		{"Audit", testAudit},
		{"AuditLimit", testAuditLimit},
	})
}

// t0 is the suite's clock: claims are made at t0 plus some offset.
var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// admin sees everything.
var admin = gate.Scope{All: true}

// decisionFor returns a decision for a new delivery of application app, in
// region, with outcome. A deny or review outcome gets an open review, as gate
// opens one.
func decisionFor(app, region string, outcome gate.Outcome) gate.Decision {
	d := NewDecision("client-a", "", app)
	d.WebhookID = "msg_" + d.ID
	d.RegionCode = region
	d.Outcome = outcome
	if outcome != gate.OutcomeAllow {
		d.Review = &gate.Review{State: gate.ReviewOpen}
	}
	return d
}

// successor returns a decision that supersedes prev outside the webhook (a
// review action or a recheck): same application and client, no webhook id.
func successor(prev gate.Decision, outcome gate.Outcome) gate.Decision {
	d := decisionFor(prev.ApplicationID, prev.RegionCode, outcome)
	d.NIB = prev.NIB
	d.ClientID, d.WebhookID = prev.ClientID, ""
	return d
}

// callbackFor returns a pending callback for decision d, due at next.
func callbackFor(d gate.Decision, next time.Time) gate.Callback {
	return gate.Callback{DecisionID: d.ID, ClientID: d.ClientID, URL: d.CallbackURL,
		State: gate.CallbackPending, NextAttempt: next}
}

func ids(ds []gate.Decision) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

// newestFirst returns the ids of ds in reverse, as listings order them (the
// suite records decisions oldest first).
func newestFirst(ds ...gate.Decision) []string {
	out := ids(ds)
	slices.Reverse(out)
	return out
}

func list(t *testing.T, s PeopleStore, f gate.DecisionFilter) []string {
	t.Helper()
	got, err := s.ListDecisions(t.Context(), f)
	if err != nil {
		t.Fatalf("ListDecisions(%+v): %v", f, err)
	}
	return ids(got)
}

func each(t *testing.T, s PeopleStore, f gate.DecisionFilter) []string {
	t.Helper()
	var got []string
	if err := s.EachDecision(t.Context(), f, func(d gate.Decision) error {
		got = append(got, d.ID)
		return nil
	}); err != nil {
		t.Fatalf("EachDecision(%+v): %v", f, err)
	}
	return got
}

func reviews(t *testing.T, s PeopleStore, f gate.ReviewFilter) []string {
	t.Helper()
	got, err := s.ListReviews(t.Context(), f)
	if err != nil {
		t.Fatalf("ListReviews(%+v): %v", f, err)
	}
	return ids(got)
}

func claimCallbacks(t *testing.T, s PeopleStore, now time.Time, lease time.Duration, limit int) []gate.Callback {
	t.Helper()
	got, err := s.ClaimCallbacks(t.Context(), now, lease, limit)
	if err != nil {
		t.Fatalf("ClaimCallbacks(%v): %v", now, err)
	}
	return got
}

func claimRechecks(t *testing.T, s PeopleStore, now time.Time, lease time.Duration, limit int) []gate.Recheck {
	t.Helper()
	got, err := s.ClaimRechecks(t.Context(), now, lease, limit)
	if err != nil {
		t.Fatalf("ClaimRechecks(%v): %v", now, err)
	}
	return got
}

// checkIDs fails t when got and want differ (nil and empty are equal).
func checkIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

// checkCode fails t unless err is a *gate.Error of kind and code.
func checkCode(t *testing.T, what string, err error, kind gate.Kind, code string) {
	t.Helper()
	var ge *gate.Error
	if !errors.As(err, &ge) || ge.Kind != kind || (code != "" && ge.Code != code) {
		t.Errorf("%s: error = %v, want a %s error with code %q", what, err, kind, code)
	}
}

func near(a, b time.Time) bool {
	d := a.Sub(b)
	return d < time.Millisecond && d > -time.Millisecond
}
