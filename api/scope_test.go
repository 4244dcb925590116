package api_test

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/jkngate/jkngate/api"
)

// TestRegionScope checks, endpoint by endpoint, that a caller sees the
// applications of their regions only: a province code covers its
// regencies, admins see everything, and what is out of scope is not_found
// exactly like what does not exist.
func TestRegionScope(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	in1275 := []string{"APP-1275-3", "APP-1275-2", "APP-1275-1"} // newest first
	in12 := []string{"APP-1272-2", "APP-1272-1", "APP-1275-3", "APP-1275-2", "APP-1275-1"}
	all := []string{"APP-3573-2", "APP-3573-1", "APP-1272-2", "APP-1272-1", "APP-1275-3", "APP-1275-2", "APP-1275-1"}

	t.Run("list", func(t *testing.T) {
		for _, tc := range []struct {
			a    actor
			want []string
		}{{officer1275, in1275}, {officer12, in12}, {admin, all}} {
			got := decode[api.DecisionListJSON](t, p.as(t, tc.a, "GET", "/v1/decisions", nil))
			if ids := itemIDs(got.Items); !slices.Equal(ids, tc.want) {
				t.Errorf("%s: %v, want %v", tc.a.sub, ids, tc.want)
			}
		}
		// A region filter narrows the scope; it never widens it.
		got := decode[api.DecisionListJSON](t, p.as(t, officer1275, "GET", "/v1/decisions?region=1272", nil))
		if len(got.Items) != 0 {
			t.Errorf("officer of 1275 filtering on 1272 saw %v", itemIDs(got.Items))
		}
		got = decode[api.DecisionListJSON](t, p.as(t, officer1275, "GET", "/v1/decisions?nib="+nibShared, nil))
		if ids := itemIDs(got.Items); !slices.Equal(ids, []string{"APP-1275-1"}) {
			t.Errorf("officer of 1275 by nib: %v", ids)
		}
	})

	t.Run("one decision", func(t *testing.T) {
		missing := p.as(t, officer1275, "GET", "/v1/decisions/dec_01JD3Z0000000000000000000", nil)
		for _, app := range []string{"APP-1272-1", "APP-3573-1"} {
			rec := p.as(t, officer1275, "GET", "/v1/decisions/"+p.ids[app], nil)
			if rec.Code != http.StatusNotFound || rec.Body.String() != missing.Body.String() {
				t.Errorf("%s: %d %s, want the answer for a missing decision: %d %s", app, rec.Code, rec.Body, missing.Code, missing.Body)
			}
		}
		if rec := p.as(t, officer12, "GET", "/v1/decisions/"+p.ids["APP-1272-1"], nil); rec.Code != http.StatusOK {
			t.Errorf("province officer: %d", rec.Code)
		}
		if rec := p.as(t, officer12, "GET", "/v1/decisions/"+p.ids["APP-3573-1"], nil); rec.Code != http.StatusNotFound {
			t.Errorf("province officer outside the province: %d", rec.Code)
		}
		d := decode[api.DecisionJSON](t, p.as(t, admin, "GET", "/v1/decisions/"+p.ids["APP-3573-1"], nil))
		if d.ApplicationID != "APP-3573-1" {
			t.Errorf("admin got %s", d.ApplicationID)
		}
	})

	t.Run("export", func(t *testing.T) {
		for _, tc := range []struct {
			a    actor
			want []string
		}{{officer1275, in1275}, {officer12, in12}, {admin, all}} {
			rec := p.as(t, tc.a, "GET", "/v1/decisions/export.csv", nil)
			rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
			if rec.Code != http.StatusOK || err != nil {
				t.Fatalf("%s: %d %v %s", tc.a.sub, rec.Code, err, rec.Body)
			}
			var ids []string
			for _, r := range rows[1:] {
				ids = append(ids, r[1])
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("%s: rows %v, want %v", tc.a.sub, ids, tc.want)
			}
		}
	})

	t.Run("company", func(t *testing.T) {
		for _, tc := range []struct {
			a      actor
			allows int
			latest string
		}{{officer1275, 1, "APP-1275-1"}, {officer12, 2, "APP-1272-1"}, {admin, 3, "APP-3573-1"}} {
			c := decode[api.CompanyJSON](t, p.as(t, tc.a, "GET", "/v1/companies/"+nibShared, nil))
			if c.DecisionCounts != (api.OutcomeCountsJSON{Allow: tc.allows}) || c.LatestDecision == nil ||
				c.LatestDecision.ApplicationID != tc.latest {
				t.Errorf("%s: counts %+v, latest %+v", tc.a.sub, c.DecisionCounts, c.LatestDecision)
			}
		}
		// nibUnder is decided in 1272 only; nibNeverSeen nowhere.
		for _, nib := range []string{nibUnder, nibNeverSeen} {
			if rec := p.as(t, officer1275, "GET", "/v1/companies/"+nib, nil); rec.Code != http.StatusNotFound {
				t.Errorf("officer of 1275, company %s: %d", nib, rec.Code)
			}
		}
		c := decode[api.CompanyJSON](t, p.as(t, reviewer1275, "GET", "/v1/companies/"+nibUnknown, nil))
		if c.OpenReview == nil || c.OpenReview.ApplicationID != "APP-1275-2" || c.DecisionCounts.Deny != 1 {
			t.Errorf("reviewer of 1275 sees %+v, open review %+v", c.DecisionCounts, c.OpenReview)
		}
	})

	t.Run("reviews", func(t *testing.T) {
		for _, tc := range []struct {
			a    actor
			want []string
		}{
			// All due at once (decided at the same moment): by ID.
			{reviewer1275, []string{"APP-1275-2", "APP-1275-3"}},
			{reviewer12, []string{"APP-1275-2", "APP-1275-3", "APP-1272-2"}},
			{admin, []string{"APP-1275-2", "APP-1275-3", "APP-1272-2", "APP-3573-2"}},
		} {
			got := decode[api.DecisionListJSON](t, p.as(t, tc.a, "GET", "/v1/reviews", nil))
			if ids := itemIDs(got.Items); !slices.Equal(ids, tc.want) {
				t.Errorf("%s: %v, want %v", tc.a.sub, ids, tc.want)
			}
		}
	})

	t.Run("coverage", func(t *testing.T) {
		for _, tc := range []struct {
			a    actor
			want []string
		}{{officer1275, []string{"1275"}}, {officer12, []string{"1272", "1275"}}, {admin, []string{"1272", "1275", "3573"}}} {
			got := decode[api.CoverageJSON](t, p.as(t, tc.a, "GET", "/v1/reports/coverage", nil))
			var regions []string
			for _, r := range got.Groups {
				regions = append(regions, r.Group)
			}
			if !slices.Equal(regions, tc.want) {
				t.Errorf("%s: regions %v, want %v", tc.a.sub, regions, tc.want)
			}
		}
	})

	t.Run("review action and what-if", func(t *testing.T) {
		rec := p.as(t, reviewer1275, "POST", "/v1/decisions/"+p.ids["APP-1272-2"]+"/review",
			map[string]string{"action": "override", "note": "documents checked on site"})
		if rec.Code != http.StatusNotFound || errorBody(t, rec).Code != "not_found" {
			t.Errorf("review outside the region: %d %s", rec.Code, rec.Body)
		}
		rec = p.as(t, officer1275, "POST", "/v1/companies/"+nibShared+"/evaluate", whatIf("1272"))
		if rec.Code != http.StatusNotFound {
			t.Errorf("what-if outside the region: %d %s", rec.Code, rec.Body)
		}
		rec = p.as(t, reviewer1275, "POST", "/v1/companies/"+nibUnder+"/refresh", nil)
		if rec.Code != http.StatusNotFound {
			t.Errorf("refresh outside the region: %d %s", rec.Code, rec.Body)
		}
	})
}
