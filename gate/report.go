package gate

import (
	"context"
	"sort"
)

// RegionCoverage is the coverage report of one region: how many
// applications were decided, how, why, and declared against active workers.
type RegionCoverage struct {
	Region       string
	Applications int
	Outcomes     map[Outcome]int
	Reasons      map[ReasonCode]int
	// DeclaredWorkers sums what applications declared; ActiveWorkers sums
	// BPJS's active worker counts of the employers, where BPJS had them.
	DeclaredWorkers int
	ActiveWorkers   int
	// WithEmployerData counts the applications whose decision had employer
	// data from BPJS, so that Declared and Active can be compared fairly.
	WithEmployerData int
}

// Coverage reports, per region in the actor's scope, the current decision of
// every application decided in [f.Since, f.Until) (f.Region narrows it). It
// streams the decisions, so it runs in constant memory.
func (p *People) Coverage(ctx context.Context, a Actor, f DecisionFilter) ([]RegionCoverage, error) {
	f.Scope = a.Scope()
	f.HeadsOnly = true
	byRegion := map[string]*RegionCoverage{}
	err := p.Store.EachDecision(ctx, f, func(d Decision) error {
		rc := byRegion[d.RegionCode]
		if rc == nil {
			rc = &RegionCoverage{Region: d.RegionCode, Outcomes: map[Outcome]int{}, Reasons: map[ReasonCode]int{}}
			byRegion[d.RegionCode] = rc
		}
		rc.Applications++
		rc.Outcomes[d.Outcome]++
		for _, r := range d.Reasons {
			rc.Reasons[r.Code]++
		}
		rc.DeclaredWorkers += d.DeclaredWorkers
		if e := d.Evidence.Employer; e != nil {
			rc.ActiveWorkers += e.ActiveWorkers
			rc.WithEmployerData++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]RegionCoverage, 0, len(byRegion))
	for _, rc := range byRegion {
		out = append(out, *rc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	if err := p.audit(ctx, a, "report.coverage", "report", f.Region, ""); err != nil {
		return nil, err
	}
	return out, nil
}
