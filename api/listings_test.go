package api_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/jkngate/jkngate/api"
)

func TestDecisionPages(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	for i := range 16 {
		p.submit(t, fmt.Sprintf("APP-1275-PAGE-%02d", i), nibShared, "1275")
	}
	const total = 3 + 16 // in 1275
	var seen []string
	path := "/v1/decisions?limit=5"
	pages := 0
	for {
		page := decode[api.DecisionListJSON](t, p.as(t, officer1275, "GET", path, nil))
		pages++
		if len(page.Items) > 5 {
			t.Fatalf("page of %d", len(page.Items))
		}
		for _, d := range page.Items {
			seen = append(seen, d.DecisionID)
		}
		if page.NextCursor == nil {
			break
		}
		path = "/v1/decisions?limit=5&cursor=" + url.QueryEscape(*page.NextCursor)
		if pages > 10 {
			t.Fatal("pages do not end")
		}
	}
	if len(seen) != total || pages != 4 {
		t.Errorf("%d decisions in %d pages, want %d in 4", len(seen), pages, total)
	}
	if !slices.IsSortedFunc(seen, func(a, b string) int { return -cmpString(a, b) }) {
		t.Error("not newest first")
	}
	sorted := slices.Clone(seen)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(seen) {
		t.Error("a decision appears on two pages")
	}
	// Default page size.
	page := decode[api.DecisionListJSON](t, p.as(t, admin, "GET", "/v1/decisions", nil))
	if len(page.Items) != len(seededApps)+16 || page.NextCursor != nil {
		t.Errorf("%d items, next %v", len(page.Items), page.NextCursor)
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestDecisionFilters(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"outcome=deny", []string{"APP-3573-2", "APP-1272-2", "APP-1275-2"}},
		{"outcome=review&region=12", []string{"APP-1275-3"}},
		{"nib=" + nibShared + "&region=35", []string{"APP-3573-1"}},
		{"application_id=APP-1272-1", []string{"APP-1272-1"}},
		{"since=2026-11-22&until=2026-11-22", []string{"APP-3573-2", "APP-3573-1", "APP-1272-2", "APP-1272-1", "APP-1275-3", "APP-1275-2", "APP-1275-1"}},
		{"since=2026-11-22T10:00:01Z", nil},
		{"until=2026-11-22T10:00:00Z", nil},
		{"since=2026-11-23", nil},
	} {
		got := decode[api.DecisionListJSON](t, p.as(t, admin, "GET", "/v1/decisions?"+tc.query, nil))
		if ids := itemIDs(got.Items); !slices.Equal(ids, tc.want) && !(len(ids) == 0 && tc.want == nil) {
			t.Errorf("%s: %v, want %v", tc.query, ids, tc.want)
		}
	}
}

func TestListingQueriesRejected(t *testing.T) {
	p := newPeopleEnv(t)
	auditCursor := base64.RawURLEncoding.EncodeToString([]byte("aud_01JD3Z0000000000000000000"))
	decCursor := base64.RawURLEncoding.EncodeToString([]byte("dec_01JD3Z0000000000000000000"))
	for _, tc := range []struct {
		path   string
		fields []string
	}{
		{"/v1/decisions?limit=0", []string{"limit"}},
		{"/v1/decisions?limit=501", []string{"limit"}},
		{"/v1/decisions?limit=ten", []string{"limit"}},
		{"/v1/decisions?cursor=%25%25%25", []string{"cursor"}},
		{"/v1/decisions?cursor=" + base64.RawURLEncoding.EncodeToString([]byte("dec_1 OR 1=1")), []string{"cursor"}},
		{"/v1/decisions?cursor=" + auditCursor, []string{"cursor"}},
		{"/v1/decisions?outcome=maybe&region=123&nib=12", []string{"nib", "outcome", "region"}},
		{"/v1/decisions?since=yesterday", []string{"since"}},
		{"/v1/decisions?since=2026-11-23&until=2026-11-22", []string{"until"}},
		{"/v1/decisions?regoin=1275", []string{"regoin"}},
		{"/v1/decisions?outcome=allow&outcome=deny", []string{"outcome"}},
		{"/v1/decisions/export.csv?limit=10", []string{"limit"}},
		{"/v1/decisions/export.csv?outcome=maybe", []string{"outcome"}},
		{"/v1/reviews?state=all&limit=1000", []string{"state", "limit"}},
		{"/v1/reports/coverage?region=9&until=soon", []string{"region", "until"}},
		{"/v1/audit?cursor=" + decCursor, []string{"cursor"}},
	} {
		rec := p.as(t, admin, "GET", tc.path, nil)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, body %s", tc.path, rec.Code, rec.Body)
			continue
		}
		e := errorBody(t, rec)
		if e.Code != "invalid_query" || !slices.Equal(fieldNames(e.Fields), tc.fields) {
			t.Errorf("%s: %s %v, want invalid_query %v", tc.path, e.Code, fieldNames(e.Fields), tc.fields)
		}
	}
}

func TestExportRouteIsNotADecisionID(t *testing.T) {
	p := newPeopleEnv(t)
	rec := p.as(t, officer1275, "GET", "/v1/decisions/export.csv", nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Errorf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}
