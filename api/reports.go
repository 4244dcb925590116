package api

import (
	"math"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/gate"
)

// CoverageJSON is GET /v1/reports/coverage: one entry per group (region,
// province, KBLI section or business scale) in the caller's scope that had
// applications decided in the period, in key order, and the total.
type CoverageJSON struct {
	GroupBy string              `json:"group_by"`
	Groups  []CoverageGroupJSON `json:"groups"`
	Total   CoverageGroupJSON   `json:"total"`
}

// CoverageGroupJSON is gate.CoverageGroup: applications counted by their
// current decision, companies once each by their latest decision, and those
// companies' declared, registered and active workers. The percentages are of
// declared_with_employer_data, null when that is 0.
type CoverageGroupJSON struct {
	Group                     string                  `json:"group,omitempty"`
	Applications              int                     `json:"applications"`
	Companies                 int                     `json:"companies"`
	Outcomes                  OutcomeCountsJSON       `json:"outcomes"`
	Reasons                   map[gate.ReasonCode]int `json:"reasons"`
	DeclaredWorkers           int                     `json:"declared_workers"`
	CompaniesWithEmployerData int                     `json:"companies_with_employer_data"`
	DeclaredWithEmployerData  int                     `json:"declared_with_employer_data"`
	RegisteredWorkers         int                     `json:"registered_workers"`
	ActiveWorkers             int                     `json:"active_workers"`
	RegisteredPct             *float64                `json:"registered_pct"`
	ActivePct                 *float64                `json:"active_pct"`
}

// coverageReport is GET /v1/reports/coverage?region&since&until&group_by.
func (s *server) coverageReport(c echo.Context, a gate.Actor) error {
	q := newQuery(c.QueryParams(), "region", "since", "until", "group_by")
	f := gate.DecisionFilter{Region: q.region()}
	f.Since, f.Until = q.period()
	groupBy := q.check("group_by", func(v string) bool { return slices.Contains(gate.GroupBys, v) },
		"must be region, province, kbli or scale")
	if err := q.err(); err != nil {
		return err
	}
	r, err := s.peopleSvc.Coverage(c.Request().Context(), a, f, groupBy)
	if err != nil {
		return err
	}
	out := CoverageJSON{GroupBy: r.GroupBy, Groups: make([]CoverageGroupJSON, len(r.Groups)), Total: coverageGroup(r.Total)}
	for i, g := range r.Groups {
		out.Groups[i] = coverageGroup(g)
	}
	return c.JSON(http.StatusOK, out)
}

func coverageGroup(g gate.CoverageGroup) CoverageGroupJSON {
	reasons := g.Reasons
	if reasons == nil {
		reasons = map[gate.ReasonCode]int{}
	}
	return CoverageGroupJSON{Group: g.Group, Applications: g.Applications, Companies: g.Companies,
		Outcomes: outcomeCounts(g.Outcomes), Reasons: reasons, DeclaredWorkers: g.DeclaredWorkers,
		CompaniesWithEmployerData: g.CompaniesWithEmployerData, DeclaredWithEmployerData: g.DeclaredWithEmployerData,
		RegisteredWorkers: g.RegisteredWorkers, ActiveWorkers: g.ActiveWorkers,
		RegisteredPct: pct(g.RegisteredPct), ActivePct: pct(g.ActivePct)}
}

func pct(f float64) *float64 {
	if math.IsNaN(f) {
		return nil
	}
	return &f
}
