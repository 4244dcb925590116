package gate

import (
	"context"
	"math"
	"slices"
)

// Coverage groupings (GET /v1/reports/coverage?group_by=).
const (
	GroupByRegion   = "region"   // the regency or city (or province) code decided on
	GroupByProvince = "province" // the first two digits of the region code
	GroupByKBLI     = "kbli"     // the KBLI 2020 section (A-U) of the first KBLI code
	GroupByScale    = "scale"    // the business scale
)

// GroupBys lists the coverage groupings.
var GroupBys = []string{GroupByRegion, GroupByProvince, GroupByKBLI, GroupByScale}

// Unspecified is the group of applications that do not say (no KBLI, no
// business scale).
const Unspecified = "unspecified"

// CoverageGroup is the coverage of one group, as the regions report it:
// registered is not active.
//
// Applications, Outcomes and Reasons count the applications decided in the
// period, by their current decision. Companies counts distinct NIBs, each
// once, by its latest decision in the period; the worker figures are those
// companies': DeclaredWorkers from that decision's application, and
// RegisteredWorkers and ActiveWorkers from BPJS's employer data where the
// decision had it (CompaniesWithEmployerData of them, who declared
// DeclaredWithEmployerData). The percentages are of DeclaredWithEmployerData,
// so that a company without employer data does not lower them; they are
// NaN when it is 0.
type CoverageGroup struct {
	Group                     string
	Applications              int
	Companies                 int
	Outcomes                  map[Outcome]int
	Reasons                   map[ReasonCode]int
	DeclaredWorkers           int
	CompaniesWithEmployerData int
	DeclaredWithEmployerData  int
	RegisteredWorkers         int
	ActiveWorkers             int
	RegisteredPct, ActivePct  float64
}

// CoverageReport is the coverage per group, and over all groups (Total,
// whose Companies counts each company once even if it appears in several
// groups).
type CoverageReport struct {
	GroupBy string
	Groups  []CoverageGroup
	Total   CoverageGroup
}

// Coverage reports, grouped by groupBy (GroupByRegion when empty), the
// current decision of every application decided in [f.Since, f.Until) in the
// actor's scope (f.Region narrows it). Memory grows with the companies, not
// the decisions. Errors: KindInvalid for an unknown grouping; the store's.
func (p *People) Coverage(ctx context.Context, a Actor, f DecisionFilter, groupBy string) (CoverageReport, error) {
	if groupBy == "" {
		groupBy = GroupByRegion
	}
	if !contains(GroupBys, groupBy) {
		return CoverageReport{}, &Error{Kind: KindInvalid, Code: CodeInvalidQuery, Message: "unknown grouping",
			Fields: []FieldError{{Field: "group_by", Message: "must be region, province, kbli or scale"}}}
	}
	f.Scope = a.Scope()
	f.HeadsOnly = true
	acc := NewCoverageCounter(groupBy)
	if err := p.Store.EachDecision(ctx, f, func(d Decision) error { acc.Add(d); return nil }); err != nil {
		return CoverageReport{}, err
	}
	if err := p.audit(ctx, a, "report.coverage", "report", f.Region, groupBy); err != nil {
		return CoverageReport{}, err
	}
	return acc.Report(), nil
}

// CoverageCounter adds decisions up into a CoverageReport.
type CoverageCounter struct {
	groupBy string
	groups  map[string]*groupCounter
	total   *groupCounter
}

type groupCounter struct {
	g      CoverageGroup
	latest map[string]Decision // by NIB
}

// NewCoverageCounter starts a report grouped by groupBy.
func NewCoverageCounter(groupBy string) *CoverageCounter {
	return &CoverageCounter{groupBy: groupBy, groups: map[string]*groupCounter{}, total: newGroupCounter("")}
}

func newGroupCounter(key string) *groupCounter {
	return &groupCounter{g: CoverageGroup{Group: key, Outcomes: map[Outcome]int{}, Reasons: map[ReasonCode]int{}},
		latest: map[string]Decision{}}
}

// Add counts the current decision of one application.
func (c *CoverageCounter) Add(d Decision) {
	key := c.key(d)
	g := c.groups[key]
	if g == nil {
		g = newGroupCounter(key)
		c.groups[key] = g
	}
	g.add(d)
	c.total.add(d)
}

func (g *groupCounter) add(d Decision) {
	g.g.Applications++
	g.g.Outcomes[d.Outcome]++
	for _, r := range d.Reasons {
		g.g.Reasons[r.Code]++
	}
	if old, ok := g.latest[d.NIB]; !ok || d.DecidedAt.After(old.DecidedAt) ||
		(d.DecidedAt.Equal(old.DecidedAt) && d.ID > old.ID) {
		g.latest[d.NIB] = companyFacts(d)
	}
}

// companyFacts keeps what the company figures need of a decision.
func companyFacts(d Decision) Decision {
	return Decision{ID: d.ID, DecidedAt: d.DecidedAt, DeclaredWorkers: d.DeclaredWorkers,
		Evidence: Evidence{Employer: d.Evidence.Employer}}
}

func (g *groupCounter) result() CoverageGroup {
	out := g.g
	for _, d := range g.latest {
		out.Companies++
		out.DeclaredWorkers += d.DeclaredWorkers
		if e := d.Evidence.Employer; e != nil {
			out.CompaniesWithEmployerData++
			out.DeclaredWithEmployerData += d.DeclaredWorkers
			out.RegisteredWorkers += e.RegisteredWorkers
			out.ActiveWorkers += e.ActiveWorkers
		}
	}
	out.RegisteredPct = percent(out.RegisteredWorkers, out.DeclaredWithEmployerData)
	out.ActivePct = percent(out.ActiveWorkers, out.DeclaredWithEmployerData)
	return out
}

// percent is part of whole in percent, to two decimals; NaN for no whole.
func percent(part, whole int) float64 {
	if whole == 0 {
		return math.NaN()
	}
	return math.Round(float64(part)*10000/float64(whole)) / 100
}

// Report returns the groups in key order, and the total.
func (c *CoverageCounter) Report() CoverageReport {
	r := CoverageReport{GroupBy: c.groupBy, Groups: make([]CoverageGroup, 0, len(c.groups)), Total: c.total.result()}
	for _, k := range sortedKeys(c.groups) {
		r.Groups = append(r.Groups, c.groups[k].result())
	}
	return r
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// key is the group a decision falls in.
func (c *CoverageCounter) key(d Decision) string {
	switch c.groupBy {
	case GroupByProvince:
		if len(d.RegionCode) >= 2 {
			return d.RegionCode[:2]
		}
	case GroupByKBLI:
		if len(d.Application.KBLI) > 0 {
			if s := KBLISection(d.Application.KBLI[0]); s != "" {
				return s
			}
		}
		return Unspecified
	case GroupByScale:
		if d.Application.BusinessScale != "" {
			return d.Application.BusinessScale
		}
		return Unspecified
	}
	return d.RegionCode
}

// kbliSections maps the first two digits (the division) of a KBLI 2020
// code to its section letter: KBLI 2020 follows ISIC Rev. 4.
var kbliSections = []struct {
	from, to int
	section  string
}{
	{1, 3, "A"}, {5, 9, "B"}, {10, 33, "C"}, {35, 35, "D"}, {36, 39, "E"}, {41, 43, "F"}, {45, 47, "G"},
	{49, 53, "H"}, {55, 56, "I"}, {58, 63, "J"}, {64, 66, "K"}, {68, 68, "L"}, {69, 75, "M"}, {77, 82, "N"},
	{84, 84, "O"}, {85, 85, "P"}, {86, 88, "Q"}, {90, 93, "R"}, {94, 96, "S"}, {97, 98, "T"}, {99, 99, "U"},
}

// KBLISection returns the KBLI 2020 section (A-U) of a 5-digit KBLI code,
// or "" when its division is not one.
func KBLISection(kbli string) string {
	if !ValidKBLI(kbli) {
		return ""
	}
	div := int(kbli[0]-'0')*10 + int(kbli[1]-'0')
	for _, s := range kbliSections {
		if div >= s.from && div <= s.to {
			return s.section
		}
	}
	return ""
}
