package storetest

import (
	"context"
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

// pluck returns f of each of xs, in order.
func pluck[T, V any](xs []T, f func(T) V) []V {
	out := make([]V, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// listed returns what list answers for filter f, failing t (naming the
// method, what, and f) on an error.
func listed[F, T any](t *testing.T, what string, list func(context.Context, F) ([]T, error), f F) []T {
	t.Helper()
	got, err := list(t.Context(), f)
	if err != nil {
		t.Fatalf("%s(%+v): %v", what, f, err)
	}
	return got
}

// claimed returns what claim answers at now, failing t (naming the method,
// what) on an error.
func claimed[T any](t *testing.T, what string, claim func(context.Context, time.Time, time.Duration, int) ([]T, error),
	now time.Time, lease time.Duration, limit int) []T {
	t.Helper()
	got, err := claim(t.Context(), now, lease, limit)
	if err != nil {
		t.Fatalf("%s(%v): %v", what, now, err)
	}
	return got
}

func ids(ds []gate.Decision) []string {
	return pluck(ds, func(d gate.Decision) string { return d.ID })
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
	return ids(listed(t, "ListDecisions", s.ListDecisions, f))
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
	return ids(listed(t, "ListReviews", s.ListReviews, f))
}

func claimCallbacks(t *testing.T, s PeopleStore, now time.Time, lease time.Duration, limit int) []gate.Callback {
	t.Helper()
	return claimed(t, "ClaimCallbacks", s.ClaimCallbacks, now, lease, limit)
}

func claimRechecks(t *testing.T, s PeopleStore, now time.Time, lease time.Duration, limit int) []gate.Recheck {
	t.Helper()
	return claimed(t, "ClaimRechecks", s.ClaimRechecks, now, lease, limit)
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
