package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/gate"
)

// CoverageJSON is GET /v1/reports/coverage: one entry per region in the
// caller's scope that had applications decided in the period, by region
// code.
type CoverageJSON struct {
	Regions []RegionCoverageJSON `json:"regions"`
}

// RegionCoverageJSON counts a region's applications by their current
// decision: outcomes (every outcome present), reason codes (those that
// occurred), and workers declared against workers BPJS counts as active
// (summed over the WithEmployerData applications that had employer data).
type RegionCoverageJSON struct {
	Region           string                  `json:"region"`
	Applications     int                     `json:"applications"`
	Outcomes         OutcomeCountsJSON       `json:"outcomes"`
	Reasons          map[gate.ReasonCode]int `json:"reasons"`
	DeclaredWorkers  int                     `json:"declared_workers"`
	ActiveWorkers    int                     `json:"active_workers"`
	WithEmployerData int                     `json:"with_employer_data"`
}

// coverageReport is GET /v1/reports/coverage?region&since&until.
func (s *server) coverageReport(c echo.Context, a gate.Actor) error {
	q := newQuery(c.QueryParams(), "region", "since", "until")
	f := gate.DecisionFilter{Region: q.region()}
	f.Since, f.Until = q.period()
	if err := q.err(); err != nil {
		return err
	}
	regions, err := s.peopleSvc.Coverage(c.Request().Context(), a, f)
	if err != nil {
		return err
	}
	out := CoverageJSON{Regions: make([]RegionCoverageJSON, len(regions))}
	for i, r := range regions {
		reasons := r.Reasons
		if reasons == nil {
			reasons = map[gate.ReasonCode]int{}
		}
		out.Regions[i] = RegionCoverageJSON{Region: r.Region, Applications: r.Applications,
			Outcomes: outcomeCounts(r.Outcomes), Reasons: reasons, DeclaredWorkers: r.DeclaredWorkers,
			ActiveWorkers: r.ActiveWorkers, WithEmployerData: r.WithEmployerData}
	}
	return c.JSON(http.StatusOK, out)
}
