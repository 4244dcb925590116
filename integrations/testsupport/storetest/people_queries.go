package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jkngate/jkngate/gate"
)

func testScope(t *testing.T, s PeopleStore) {
	byRegion := map[string][]gate.Decision{}
	var all []gate.Decision
	for i, c := range []struct {
		region  string
		outcome gate.Outcome
	}{
		{"1275", gate.OutcomeDeny}, {"1272", gate.OutcomeReview}, {"12", gate.OutcomeDeny},
		{"3573", gate.OutcomeDeny}, {"35", gate.OutcomeAllow}, {"1275", gate.OutcomeAllow},
	} {
		d := mustRecord(t, s, decisionFor(fmt.Sprintf("OSS-%d", i), c.region, c.outcome))
		byRegion[c.region] = append(byRegion[c.region], d)
		all = append(all, d)
	}

	for _, c := range []struct {
		name    string
		scope   gate.Scope
		regions []string // the regions the scope sees
	}{
		{"zero scope", gate.Scope{}, nil},
		{"empty regions", gate.Scope{Regions: []string{}}, nil},
		{"admin", admin, []string{"1275", "1272", "12", "3573", "35"}},
		{"regency 1275", gate.Scope{Regions: []string{"1275"}}, []string{"1275"}},
		{"regency 3573", gate.Scope{Regions: []string{"3573"}}, []string{"3573"}},
		{"province 12", gate.Scope{Regions: []string{"12"}}, []string{"1275", "1272", "12"}},
		{"province 35", gate.Scope{Regions: []string{"35"}}, []string{"3573", "35"}},
		{"two regencies", gate.Scope{Regions: []string{"1272", "3573"}}, []string{"1272", "3573"}},
		{"province and regency", gate.Scope{Regions: []string{"12", "3573"}}, []string{"1275", "1272", "12", "3573"}},
		{"unknown region", gate.Scope{Regions: []string{"9999"}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			visible := map[string]bool{}
			for _, r := range c.regions {
				visible[r] = true
			}
			var want, wantOpen []gate.Decision
			wantCounts := map[gate.Outcome]int{}
			for _, d := range all {
				if visible[d.RegionCode] {
					want = append(want, d)
					wantCounts[d.Outcome]++
					if d.Review != nil {
						wantOpen = append(wantOpen, d)
					}
				}
			}
			f := gate.DecisionFilter{Scope: c.scope}
			checkIDs(t, "ListDecisions", list(t, s, f), newestFirst(want...))
			checkIDs(t, "EachDecision", each(t, s, f), newestFirst(want...))
			checkIDs(t, "ListReviews open",
				reviews(t, s, gate.ReviewFilter{Scope: c.scope, State: gate.ReviewOpen}), ids(wantOpen)) // no due times: oldest first
			counts, err := s.DecisionCounts(t.Context(), f)
			if err != nil {
				t.Fatalf("DecisionCounts: %v", err)
			}
			if d := cmp.Diff(wantCounts, counts, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("DecisionCounts (-want +got):\n%s", d)
			}
		})
	}

	// A region filter narrows the scope, never widens it.
	checkIDs(t, "regency 1275 filtering province 12",
		list(t, s, gate.DecisionFilter{Scope: gate.Scope{Regions: []string{"1275"}}, Region: "12"}),
		newestFirst(byRegion["1275"]...))
	checkIDs(t, "province 12 filtering 3573",
		list(t, s, gate.DecisionFilter{Scope: gate.Scope{Regions: []string{"12"}}, Region: "3573"}), nil)
}

func testListFilters(t *testing.T, s PeopleStore) {
	const nib1, nib2 = "9120001234567", "8120009876543"
	rec := func(app, nib, region string, outcome gate.Outcome, hours int) gate.Decision {
		d := decisionFor(app, region, outcome)
		d.NIB = nib
		d.DecidedAt = t0.Add(time.Duration(hours) * time.Hour)
		return mustRecord(t, s, d)
	}
	a1 := rec("OSS-A", nib1, "1275", gate.OutcomeDeny, 0)
	a2 := rec("OSS-B", nib1, "1272", gate.OutcomeAllow, 1)
	a3 := rec("OSS-C", nib2, "3573", gate.OutcomeReview, 2)
	a4 := rec("OSS-D", nib2, "12", gate.OutcomeDeny, 3)
	a5 := rec("OSS-A", nib1, "1275", gate.OutcomeAllow, 4) // supersedes a1

	hour := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	for _, c := range []struct {
		name string
		f    gate.DecisionFilter
		want []gate.Decision
	}{
		{"none", gate.DecisionFilter{}, []gate.Decision{a1, a2, a3, a4, a5}},
		{"nib", gate.DecisionFilter{NIB: nib1}, []gate.Decision{a1, a2, a5}},
		{"application", gate.DecisionFilter{ApplicationID: "OSS-A"}, []gate.Decision{a1, a5}},
		{"outcome", gate.DecisionFilter{Outcome: gate.OutcomeDeny}, []gate.Decision{a1, a4}},
		{"regency", gate.DecisionFilter{Region: "1275"}, []gate.Decision{a1, a5}},
		{"province covers its regencies", gate.DecisionFilter{Region: "12"}, []gate.Decision{a1, a2, a4, a5}},
		{"province 35", gate.DecisionFilter{Region: "35"}, []gate.Decision{a3}},
		{"since is inclusive", gate.DecisionFilter{Since: hour(1)}, []gate.Decision{a2, a3, a4, a5}},
		{"until is exclusive", gate.DecisionFilter{Until: hour(2)}, []gate.Decision{a1, a2}},
		{"since and until", gate.DecisionFilter{Since: hour(1), Until: hour(3)}, []gate.Decision{a2, a3}},
		{"since in another zone", gate.DecisionFilter{Since: hour(3).In(wib)}, []gate.Decision{a4, a5}},
		{"heads only", gate.DecisionFilter{HeadsOnly: true}, []gate.Decision{a2, a3, a4, a5}},
		{"combined", gate.DecisionFilter{NIB: nib1, Outcome: gate.OutcomeAllow, Region: "12"}, []gate.Decision{a2, a5}},
		{"limit", gate.DecisionFilter{Limit: 2}, []gate.Decision{a4, a5}},
		{"after", gate.DecisionFilter{After: a4.ID}, []gate.Decision{a1, a2, a3}},
		{"after and filter", gate.DecisionFilter{After: a5.ID, NIB: nib1}, []gate.Decision{a1, a2}},
		{"no match", gate.DecisionFilter{NIB: "0000000000000"}, nil},
	} {
		f := c.f
		f.Scope = admin
		checkIDs(t, c.name, list(t, s, f), newestFirst(c.want...))
		if f.Limit == 0 {
			checkIDs(t, c.name+" (EachDecision)", each(t, s, f), newestFirst(c.want...))
		}
	}

	// Listed decisions read back whole.
	got, err := s.ListDecisions(t.Context(), gate.DecisionFilter{Scope: admin, ApplicationID: "OSS-B"})
	if err != nil || len(got) != 1 {
		t.Fatalf("ListDecisions of OSS-B: %d decisions, %v; want 1", len(got), err)
	}
	if d := diff(a2, got[0]); d != "" {
		t.Errorf("ListDecisions returned a different decision (-recorded +listed):\n%s", d)
	}
}

func testListLimit(t *testing.T, s PeopleStore) {
	n := 51
	if !testing.Short() {
		n = 501
	}
	var all []gate.Decision
	for i := range n {
		all = append(all, mustRecord(t, s, decisionFor(fmt.Sprintf("OSS-%d", i), "1275", gate.OutcomeAllow)))
	}
	want := newestFirst(all...)
	checkIDs(t, "default limit", list(t, s, gate.DecisionFilter{Scope: admin}), want[:50])
	checkIDs(t, "negative limit", list(t, s, gate.DecisionFilter{Scope: admin, Limit: -1}), want[:50])
	checkIDs(t, "limit 7", list(t, s, gate.DecisionFilter{Scope: admin, Limit: 7}), want[:7])
	if n > 500 {
		checkIDs(t, "limit above the cap", list(t, s, gate.DecisionFilter{Scope: admin, Limit: 10_000}), want[:500])
	}
	if got := each(t, s, gate.DecisionFilter{Scope: admin, Limit: 3}); len(got) != n {
		t.Errorf("EachDecision with Limit 3 gave %d decisions, want all %d (it ignores Limit)", len(got), n)
	}
}

func testKeysetPagination(t *testing.T, s PeopleStore) {
	var older []gate.Decision
	for i := range 23 {
		older = append(older, mustRecord(t, s, decisionFor(fmt.Sprintf("OSS-%d", i%9), "1275", gate.OutcomeDeny)))
	}
	want := newestFirst(older...)

	// Page through, recording new decisions between pages (some of them
	// superseding listed ones): pages continue below the cursor, so they
	// neither repeat an item nor skip an older one.
	var got []string
	seen := map[string]bool{}
	cursor := ""
	for page := 0; ; page++ {
		if page > 10 {
			t.Fatal("pagination does not end")
		}
		ids := list(t, s, gate.DecisionFilter{Scope: admin, Region: "1275", Limit: 5, After: cursor})
		for _, id := range ids {
			if seen[id] {
				t.Errorf("page %d repeats %s", page, id)
			}
			seen[id] = true
		}
		got = append(got, ids...)
		if len(ids) < 5 {
			break
		}
		cursor = ids[len(ids)-1]
		Together(3, func(i int) {
			if _, _, err := s.RecordDecision(t.Context(),
				decisionFor(fmt.Sprintf("OSS-%d", (page*3+i)%9), "1275", gate.OutcomeDeny)); err != nil {
				t.Errorf("RecordDecision between pages: %v", err)
			}
		})
	}
	checkIDs(t, "pages", got, want)
}

func testHeadsOnly(t *testing.T, s PeopleStore) {
	x1 := mustRecord(t, s, decisionFor("OSS-X", "1275", gate.OutcomeDeny))
	x2 := mustRecord(t, s, decisionFor("OSS-X", "1275", gate.OutcomeDeny))
	y1 := mustRecord(t, s, decisionFor("OSS-Y", "1275", gate.OutcomeAllow))
	x3 := mustRecord(t, s, decisionFor("OSS-X", "1275", gate.OutcomeAllow))

	checkIDs(t, "all", list(t, s, gate.DecisionFilter{Scope: admin}), newestFirst(x1, x2, y1, x3))
	checkIDs(t, "heads", list(t, s, gate.DecisionFilter{Scope: admin, HeadsOnly: true}), newestFirst(y1, x3))
	checkIDs(t, "head of OSS-X",
		list(t, s, gate.DecisionFilter{Scope: admin, HeadsOnly: true, ApplicationID: "OSS-X"}), []string{x3.ID})
	checkIDs(t, "heads that deny",
		list(t, s, gate.DecisionFilter{Scope: admin, HeadsOnly: true, Outcome: gate.OutcomeDeny}), nil)
}

func testEachDecision(t *testing.T, s PeopleStore) {
	var all []gate.Decision
	for i := range 7 {
		outcome := []gate.Outcome{gate.OutcomeAllow, gate.OutcomeDeny, gate.OutcomeReview}[i%3]
		all = append(all, mustRecord(t, s, decisionFor(fmt.Sprintf("OSS-%d", i), "1275", outcome)))
	}
	checkIDs(t, "all", each(t, s, gate.DecisionFilter{Scope: admin}), newestFirst(all...))
	checkIDs(t, "deny", each(t, s, gate.DecisionFilter{Scope: admin, Outcome: gate.OutcomeDeny}),
		newestFirst(all[1], all[4]))

	// fn's error stops the walk and comes back as is.
	errStop := errors.New("stop")
	calls := 0
	err := s.EachDecision(t.Context(), gate.DecisionFilter{Scope: admin}, func(gate.Decision) error {
		calls++
		if calls == 3 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) || calls != 3 {
		t.Errorf("EachDecision with fn failing at the 3rd: %v after %d calls, want fn's error after 3", err, calls)
	}

	// A slow consumer does not hold up writers.
	var streamed []gate.Decision
	err = s.EachDecision(t.Context(), gate.DecisionFilter{Scope: admin}, func(d gate.Decision) error {
		if len(streamed) == 0 {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if _, _, err := s.RecordDecision(ctx, decisionFor("OSS-new", "1275", gate.OutcomeAllow)); err != nil {
				return fmt.Errorf("RecordDecision while streaming: %w", err)
			}
		}
		streamed = append(streamed, d)
		return nil
	})
	if err != nil {
		t.Fatalf("EachDecision: %v", err)
	}
	checkIDs(t, "while recording", ids(streamed), newestFirst(all...))
	for _, d := range streamed {
		if d.ID == all[0].ID {
			if df := diff(all[0], d); df != "" {
				t.Errorf("EachDecision returned a different decision (-recorded +streamed):\n%s", df)
			}
		}
	}
}

func testDecisionCounts(t *testing.T, s PeopleStore) {
	rec := func(app, region string, outcome gate.Outcome) {
		mustRecord(t, s, decisionFor(app, region, outcome))
	}
	rec("OSS-A", "1275", gate.OutcomeDeny)
	rec("OSS-B", "1272", gate.OutcomeAllow)
	rec("OSS-C", "3573", gate.OutcomeReview)
	rec("OSS-D", "12", gate.OutcomeDeny)
	rec("OSS-A", "1275", gate.OutcomeAllow) // supersedes the first

	for _, c := range []struct {
		name string
		f    gate.DecisionFilter
		want map[gate.Outcome]int
	}{
		{"all", gate.DecisionFilter{Scope: admin},
			map[gate.Outcome]int{gate.OutcomeDeny: 2, gate.OutcomeAllow: 2, gate.OutcomeReview: 1}},
		{"heads", gate.DecisionFilter{Scope: admin, HeadsOnly: true},
			map[gate.Outcome]int{gate.OutcomeDeny: 1, gate.OutcomeAllow: 2, gate.OutcomeReview: 1}},
		{"province 12", gate.DecisionFilter{Scope: admin, Region: "12"},
			map[gate.Outcome]int{gate.OutcomeDeny: 2, gate.OutcomeAllow: 2}},
		{"application", gate.DecisionFilter{Scope: admin, ApplicationID: "OSS-A"},
			map[gate.Outcome]int{gate.OutcomeDeny: 1, gate.OutcomeAllow: 1}},
		{"scope 3573", gate.DecisionFilter{Scope: gate.Scope{Regions: []string{"3573"}}},
			map[gate.Outcome]int{gate.OutcomeReview: 1}},
		{"zero scope", gate.DecisionFilter{}, nil},
		{"no match", gate.DecisionFilter{Scope: admin, NIB: "0000000000000"}, nil},
	} {
		got, err := s.DecisionCounts(t.Context(), c.f)
		if err != nil {
			t.Fatalf("%s: DecisionCounts: %v", c.name, err)
		}
		if d := cmp.Diff(c.want, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%s: DecisionCounts (-want +got):\n%s", c.name, d)
		}
	}
}
