package api_test

import (
	"net/http"
	"testing"

	"github.com/jkngate/jkngate/api"
)

// TestCoverageReportThroughRouter checks every figure of the seeded
// population grouped by province: each company once, registered is not
// active, percentages of the declared workers of companies with employer
// data.
func TestCoverageReportThroughRouter(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	got := decode[api.CoverageJSON](t, p.as(t, admin, "GET", "/v1/reports/coverage?group_by=province", nil))
	type fig struct {
		group                                             string
		apps, companies, declared, withData, declaredWith int
		registered, active                                int
		regPct, actPct                                    float64
		allow, review, deny                               int
	}
	of := func(g api.CoverageGroupJSON) fig {
		f := fig{g.Group, g.Applications, g.Companies, g.DeclaredWorkers, g.CompaniesWithEmployerData,
			g.DeclaredWithEmployerData, g.RegisteredWorkers, g.ActiveWorkers, -1, -1,
			g.Outcomes.Allow, g.Outcomes.Review, g.Outcomes.Deny}
		if g.RegisteredPct != nil {
			f.regPct = *g.RegisteredPct
		}
		if g.ActivePct != nil {
			f.actPct = *g.ActivePct
		}
		return f
	}
	want := []fig{
		// 12: the shared company (1275 and 1272) once, the unregistered, the
		// one without employer data, the under-registered (40 of 52 active).
		{"12", 5, 4, 208, 2, 104, 104, 92, 100, 88.46, 2, 1, 2},
		{"35", 2, 2, 104, 1, 52, 52, 52, 100, 100, 1, 0, 1},
	}
	if got.GroupBy != "province" || len(got.Groups) != len(want) {
		t.Fatalf("report %+v", got)
	}
	for i, w := range want {
		if g := of(got.Groups[i]); g != w {
			t.Errorf("group %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if g, w := of(got.Total), (fig{"", 7, 4, 208, 2, 104, 104, 92, 100, 88.46, 3, 1, 3}); g != w {
		t.Errorf("total:\n got %+v\nwant %+v", g, w)
	}
	if rec := p.as(t, admin, "GET", "/v1/reports/coverage?group_by=colour", nil); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("unknown group_by: %d", rec.Code)
	}
}
