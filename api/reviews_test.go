package api_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
)

func reviewPath(id string) string { return "/v1/decisions/" + id + "/review" }

func TestReviewActions(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	const note = "Checked with the employer: registration is pending."
	for _, tc := range []struct {
		app, action string
		by          actor
		outcome     gate.Outcome
		firstReason gate.ReasonCode
		review      string // state of the new decision's review
	}{
		{"APP-1275-2", "uphold", reviewer1275, gate.OutcomeDeny, gate.ReasonUpheld, "closed"},
		{"APP-1275-3", "override", reviewer1275, gate.OutcomeAllow, gate.ReasonOverridden, "closed"},
		{"APP-1272-2", "reevaluate", reviewer12, gate.OutcomeDeny, gate.ReasonWorkersUnderRegistered, "open"},
	} {
		t.Run(tc.action, func(t *testing.T) {
			reviewed := p.ids[tc.app]
			d := decode[api.DecisionJSON](t, p.as(t, tc.by, "POST", reviewPath(reviewed),
				map[string]string{"action": tc.action, "note": note}))
			if d.Outcome != tc.outcome || d.Reasons[0].Code != tc.firstReason {
				t.Errorf("outcome %s, first reason %s", d.Outcome, d.Reasons[0].Code)
			}
			if d.Supersedes == nil || *d.Supersedes != reviewed || d.DecisionID == reviewed || d.ApplicationID != tc.app {
				t.Errorf("decision %s supersedes %v, want a new decision superseding %s", d.DecisionID, d.Supersedes, reviewed)
			}
			if d.Review == nil || d.Review.State != tc.review {
				t.Fatalf("review %+v, want state %s", d.Review, tc.review)
			}
			if tc.review == "closed" && (*d.Review.Action != tc.action || *d.Review.By != tc.by.sub || d.Review.Note != note) {
				t.Errorf("review %+v", d.Review)
			}
			// The reviewed decision is closed, with who did what.
			old := decode[api.DecisionJSON](t, p.as(t, admin, "GET", "/v1/decisions/"+reviewed, nil))
			if old.Review == nil || old.Review.State != "closed" || *old.Review.Action != tc.action || *old.Review.By != tc.by.sub {
				t.Errorf("reviewed decision's review %+v", old.Review)
			}
			// A second action on it is a conflict.
			rec := p.as(t, admin, "POST", reviewPath(reviewed), map[string]string{"action": "override", "note": note})
			if rec.Code != http.StatusConflict || errorBody(t, rec).Code != "already_reviewed" {
				t.Errorf("second action: %d %s", rec.Code, rec.Body)
			}
		})
	}

	closed := decode[api.DecisionListJSON](t, p.as(t, admin, "GET", "/v1/reviews?state=closed", nil))
	if len(closed.Items) < 3 {
		t.Errorf("closed reviews %v", itemIDs(closed.Items))
	}
	open := decode[api.DecisionListJSON](t, p.as(t, admin, "GET", "/v1/reviews", nil))
	ids := itemIDs(open.Items)
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"APP-1272-2", "APP-3573-2"}) {
		t.Errorf("open reviews %v, want APP-1272-2 (re-evaluated, or not yet) and APP-3573-2", ids)
	}
}

func TestReviewRejects(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	id := p.ids["APP-1275-2"]
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		fields []string
	}{
		{"short note", map[string]string{"action": "uphold", "note": "  too short  "}, 422, "invalid_review", []string{"note"}},
		{"no note for override", map[string]string{"action": "override"}, 422, "invalid_review", []string{"note"}},
		{"unknown action", map[string]string{"action": "approve", "note": "looks fine to me"}, 422, "invalid_review", []string{"action"}},
		{"no action", map[string]string{"note": "looks fine to me"}, 422, "invalid_review", []string{"action"}},
		{"wrong types", map[string]any{"action": 1, "note": true}, 422, "invalid_review", []string{"action", "note"}},
		{"not JSON", "{", 400, "malformed_json", nil},
		{"not an object", "[]", 400, "malformed_json", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := p.as(t, reviewer1275, "POST", reviewPath(id), tc.body)
			if rec.Code != tc.status {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
			e := errorBody(t, rec)
			if e.Code != tc.code || !slices.Equal(fieldNames(e.Fields), tc.fields) {
				t.Errorf("code %s, fields %v; want %s %v", e.Code, fieldNames(e.Fields), tc.code, tc.fields)
			}
		})
	}
	// Nothing happened: the review is still open.
	d := decode[api.DecisionJSON](t, p.as(t, admin, "GET", "/v1/decisions/"+id, nil))
	if d.Review == nil || d.Review.State != "open" {
		t.Errorf("review %+v after rejected actions", d.Review)
	}
	// An allow decision has no review to act on.
	rec := p.as(t, admin, "POST", reviewPath(p.ids["APP-1275-1"]), map[string]string{"action": "reevaluate"})
	if rec.Code != http.StatusConflict {
		t.Errorf("review of an allow: %d %s", rec.Code, rec.Body)
	}
	if rec := p.as(t, admin, "GET", "/v1/reviews?state=pending", nil); rec.Code != 422 || errorBody(t, rec).Code != "invalid_query" {
		t.Errorf("state=pending: %d %s", rec.Code, rec.Body)
	}
}

// TestConcurrentReviews: of 20 simultaneous actions on one decision,
// exactly one wins; the others are told it was already reviewed.
func TestConcurrentReviews(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	id := p.ids["APP-3573-2"]
	before := p.countDecisions(t)
	statuses := make([]int, 20)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			action := []string{"uphold", "override"}[i%2]
			statuses[i] = p.as(t, admin, "POST", reviewPath(id),
				map[string]string{"action": action, "note": "concurrent reviewer number " + string(rune('A'+i))}).Code
		})
	}
	wg.Wait()
	ok, conflicts := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
			conflicts++
		}
	}
	if ok != 1 || conflicts != 19 {
		t.Errorf("statuses %v: %d OK and %d conflicts, want 1 and 19", statuses, ok, conflicts)
	}
	if after := p.countDecisions(t); after != before+1 {
		t.Errorf("%d decisions recorded, want 1", after-before)
	}
}
