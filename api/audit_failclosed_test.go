package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jkngate/jkngate/gate"
)

// failingAudit is the real store whose access trail refuses every entry.
type failingAudit struct {
	gate.PeopleStore
	tried *atomic.Int32
}

func (f failingAudit) RecordAccess(context.Context, gate.AuditEntry) error {
	f.tried.Add(1)
	return &gate.Error{Kind: gate.KindUnavailable, Code: "store_unavailable", Message: "disk I/O error"}
}

// auditedReads are the people's API requests that serve data and are
// recorded in the access trail: each must fail closed.
func auditedReads(p *peopleEnv) []struct {
	a            actor
	method, path string
	body         any
} {
	return []struct {
		a            actor
		method, path string
		body         any
	}{
		{officer1275, "GET", "/v1/companies/" + nibShared, nil},
		{officer1275, "POST", "/v1/companies/" + nibShared + "/evaluate", whatIf("1275")},
		{reviewer1275, "POST", "/v1/companies/" + nibShared + "/refresh", nil},
		{officer1275, "GET", "/v1/decisions", nil},
		{officer1275, "GET", "/v1/decisions?application_id=APP-1275-1", nil},
		{officer1275, "GET", "/v1/decisions/export.csv", nil},
		{officer1275, "GET", "/v1/decisions/" + p.ids["APP-1275-1"], nil},
		{reviewer1275, "GET", "/v1/reviews", nil},
		{officer1275, "GET", "/v1/reports/coverage", nil},
		{reviewer1275, "POST", reviewPath(p.ids["APP-1275-2"]),
			map[string]string{"action": "uphold", "note": "Employer confirmed it is not registered."}},
	}
}

// checkNothingServed fails t unless rec is 503 store_unavailable with
// Retry-After and a body that carries none of the seeded data.
func checkNothingServed(t *testing.T, p *peopleEnv, what string, status int, rec interface {
	Header() http.Header
}, body string) {
	t.Helper()
	if status != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("%s: status %d, Retry-After %q; want 503 with Retry-After", what, status, rec.Header().Get("Retry-After"))
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != "" {
		t.Errorf("%s: Content-Disposition %q: a download began", what, cd)
	}
	for _, leak := range []string{"APP-", "decision_id", "PT ", nibShared} {
		if strings.Contains(body, leak) {
			t.Errorf("%s: body %s serves %q although the access was not recorded", what, body, leak)
		}
	}
	for app, id := range p.ids {
		if strings.Contains(body, id) {
			t.Errorf("%s: body serves the decision of %s", what, app)
		}
	}
}

// TestAccessTrailFailsClosed: when the access cannot be recorded, no
// people's API read serves data (503 store_unavailable), the export streams
// nothing, and a review is not acted on.
func TestAccessTrailFailsClosed(t *testing.T) {
	var tried atomic.Int32
	p := newPeopleEnvWith(t, func(s gate.PeopleStore) gate.PeopleStore { return failingAudit{s, &tried} })
	p.seed(t)
	before := p.countDecisions(t)
	for _, r := range auditedReads(p) {
		rec := p.as(t, r.a, r.method, r.path, r.body)
		what := r.method + " " + r.path
		checkNothingServed(t, p, what, rec.Code, rec, rec.Body.String())
		if rec.Code == http.StatusServiceUnavailable {
			if code := errorBody(t, rec).Code; code != "store_unavailable" {
				t.Errorf("%s: code %q, want store_unavailable", what, code)
			}
		}
	}
	if tried.Load() < int32(len(auditedReads(p))) {
		t.Errorf("RecordAccess tried %d times for %d requests", tried.Load(), len(auditedReads(p)))
	}
	if n := p.countDecisions(t); n != before {
		t.Errorf("%d decisions after the refused review, want %d: the review was acted on", n, before)
	}
	d, err := p.store.Decision(t.Context(), p.ids["APP-1275-2"])
	if err != nil || d.Review == nil || d.Review.State != gate.ReviewOpen {
		t.Errorf("reviewed decision: review %+v, %v; want it still open", d.Review, err)
	}
	if !strings.Contains(p.logs.String(), "audit trail write failed") {
		t.Error("the refused accesses were not logged")
	}
}
