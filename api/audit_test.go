package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/jkngate/jkngate/api"
)

func TestAuditTrail(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	reviewed := p.ids["APP-1275-2"]
	const note = "Employer confirmed it is not registered."
	for _, r := range []struct {
		a            actor
		method, path string
		body         any
	}{
		{officer1275, "GET", "/v1/decisions?outcome=deny", nil},
		{officer1275, "GET", "/v1/decisions/" + p.ids["APP-1275-1"], nil},
		{officer1275, "GET", "/v1/decisions/export.csv", nil},
		{officer1275, "GET", "/v1/companies/" + nibShared, nil},
		{officer1275, "POST", "/v1/companies/" + nibShared + "/evaluate", whatIf("1275")},
		{officer1275, "GET", "/v1/reports/coverage", nil},
		{reviewer1275, "GET", "/v1/reviews", nil},
		{reviewer1275, "POST", reviewPath(reviewed), map[string]string{"action": "uphold", "note": note}},
	} {
		if rec := p.as(t, r.a, r.method, r.path, r.body); rec.Code != http.StatusOK {
			t.Fatalf("%s %s: %d %s", r.method, r.path, rec.Code, rec.Body)
		}
	}

	all := decode[api.AuditListJSON](t, p.as(t, admin, "GET", "/v1/audit", nil))
	if len(all.Items) == 0 {
		t.Fatal("empty trail")
	}
	var officerActions []string
	for _, e := range all.Items {
		if e.Actor == officer1275.sub {
			officerActions = append(officerActions, e.Action)
		}
	}
	slices.Sort(officerActions)
	want := []string{"company.evaluate", "company.read", "decision.read", "decisions.export", "decisions.list", "report.coverage"}
	if !slices.Equal(officerActions, want) {
		t.Errorf("officer's actions %v, want %v", officerActions, want)
	}

	// Filters.
	got := decode[api.AuditListJSON](t, p.as(t, admin, "GET", "/v1/audit?action=review.uphold", nil))
	if len(got.Items) != 1 || got.Items[0].Actor != reviewer1275.sub || got.Items[0].ResourceID != reviewed ||
		got.Items[0].Detail != note || got.Items[0].Resource != "decision" {
		t.Errorf("review entries %+v", got.Items)
	}
	got = decode[api.AuditListJSON](t, p.as(t, admin, "GET", "/v1/audit?actor="+url.QueryEscape(reviewer1275.sub), nil))
	if len(got.Items) == 0 {
		t.Error("no entries for the reviewer")
	}
	for _, e := range got.Items {
		if e.Actor != reviewer1275.sub {
			t.Errorf("actor filter let %+v through", e)
		}
	}
	got = decode[api.AuditListJSON](t, p.as(t, admin, "GET", "/v1/audit?until=2026-11-21", nil))
	if len(got.Items) != 0 {
		t.Errorf("until filter: %d entries", len(got.Items))
	}

	// Pages of two cover the trail once.
	var ids []string
	path := "/v1/audit?limit=2"
	for range 20 {
		page := decode[api.AuditListJSON](t, p.as(t, admin, "GET", path, nil))
		for _, e := range page.Items {
			ids = append(ids, e.ID)
		}
		if page.NextCursor == nil {
			break
		}
		path = "/v1/audit?limit=2&cursor=" + *page.NextCursor
	}
	unique := slices.Clone(ids)
	slices.Sort(unique)
	if len(slices.Compact(unique)) != len(ids) || len(ids) < len(all.Items) {
		t.Errorf("pages gave %d entries (%d unique), the trail has at least %d", len(ids), len(unique), len(all.Items))
	}

	// Only admins read the trail.
	for _, a := range []actor{officer1275, reviewer12} {
		if rec := p.as(t, a, "GET", "/v1/audit", nil); rec.Code != http.StatusForbidden {
			t.Errorf("%s: %d", a.sub, rec.Code)
		}
	}
}

func TestAuditEntryShape(t *testing.T) {
	p := newPeopleEnv(t)
	p.as(t, officer1275, "GET", "/v1/decisions", nil)
	body := decodeObject(t, p.as(t, admin, "GET", "/v1/audit", nil).Body.Bytes())
	if got := sortedKeys(body); !slices.Equal(got, []string{"items", "next_cursor"}) {
		t.Fatalf("keys %v", got)
	}
	var items []map[string]any
	if err := json.Unmarshal(body["items"], &items); err != nil || len(items) != 1 {
		t.Fatalf("items %s", body["items"])
	}
	keys := make([]string, 0)
	for k := range items[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"action", "actor", "at", "detail", "id", "resource", "resource_id"}; !slices.Equal(keys, want) {
		t.Errorf("entry keys %v, want %v", keys, want)
	}
}
