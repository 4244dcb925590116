package gate

import (
	"math"
	"testing"
	"time"
)

// population is a known set of current decisions: company A applies three
// times (twice in Tanjungbalai, once in Medan), B has no employer data, C
// is compliant, D is under-registered.
func population() []Decision {
	dec := func(id, nib, region string, at time.Duration, declared int, emp *Employer, outcome Outcome, reason ReasonCode, kbli, scale string) Decision {
		d := Decision{ID: id, NIB: nib, RegionCode: region, DecidedAt: t0.Add(at), DeclaredWorkers: declared,
			Outcome: outcome, Reasons: []Reason{{Code: reason, Outcome: outcome}}, Evidence: Evidence{Employer: emp},
			Application: Application{BusinessScale: scale}}
		if kbli != "" {
			d.Application.KBLI = []string{kbli}
		}
		return d
	}
	emp := func(reg, act int) *Employer { return &Employer{RegisteredWorkers: reg, ActiveWorkers: act} }
	return []Decision{
		dec("dec_A1", "A", "1272", 0, 100, emp(90, 80), OutcomeDeny, ReasonWorkersUnderRegistered, "47111", "kecil"),
		dec("dec_A2", "A", "1272", time.Hour, 100, emp(100, 95), OutcomeDeny, ReasonWorkersUnderRegistered, "47111", "kecil"),
		dec("dec_B1", "B", "1272", 0, 50, nil, OutcomeReview, ReasonInsufficientEvidence, "", ""),
		dec("dec_C1", "C", "1272", 0, 20, emp(20, 20), OutcomeAllow, ReasonCompliant, "10110", "mikro"),
		dec("dec_A3", "A", "1275", 2*time.Hour, 10, emp(100, 95), OutcomeAllow, ReasonCompliant, "47111", "kecil"),
		dec("dec_D1", "D", "1275", 0, 40, emp(30, 20), OutcomeDeny, ReasonWorkersUnderRegistered, "47111", "kecil"),
	}
}

type wantGroup struct {
	group                                string
	apps, companies, declared, withData  int
	declaredWithData, registered, active int
	regPct, actPct                       float64
	deny, review, allow                  int
}

func TestCoverageKnownPopulation(t *testing.T) {
	tests := []struct {
		groupBy string
		groups  []wantGroup
		total   wantGroup
	}{
		{GroupByRegion, []wantGroup{
			// A counted once, by A2 (its latest in 1272): 100 declared, 100/95.
			{"1272", 4, 3, 170, 2, 120, 120, 115, 100, 95.83, 2, 1, 1},
			{"1275", 2, 2, 50, 2, 50, 130, 115, 260, 230, 1, 0, 1},
		}, wantGroup{"", 6, 4, 120, 3, 70, 150, 135, 214.29, 192.86, 3, 1, 2}},
		{GroupByProvince, []wantGroup{
			{"12", 6, 4, 120, 3, 70, 150, 135, 214.29, 192.86, 3, 1, 2},
		}, wantGroup{"", 6, 4, 120, 3, 70, 150, 135, 214.29, 192.86, 3, 1, 2}},
		{GroupByKBLI, []wantGroup{
			{"C", 1, 1, 20, 1, 20, 20, 20, 100, 100, 0, 0, 1},
			{"G", 4, 2, 50, 2, 50, 130, 115, 260, 230, 3, 0, 1},
			{Unspecified, 1, 1, 50, 0, 0, 0, 0, math.NaN(), math.NaN(), 0, 1, 0},
		}, wantGroup{"", 6, 4, 120, 3, 70, 150, 135, 214.29, 192.86, 3, 1, 2}},
		{GroupByScale, []wantGroup{
			{"kecil", 4, 2, 50, 2, 50, 130, 115, 260, 230, 3, 0, 1},
			{"mikro", 1, 1, 20, 1, 20, 20, 20, 100, 100, 0, 0, 1},
			{Unspecified, 1, 1, 50, 0, 0, 0, 0, math.NaN(), math.NaN(), 0, 1, 0},
		}, wantGroup{"", 6, 4, 120, 3, 70, 150, 135, 214.29, 192.86, 3, 1, 2}},
	}
	for _, tt := range tests {
		c := NewCoverageCounter(tt.groupBy)
		for _, d := range population() {
			c.Add(d)
		}
		r := c.Report()
		if len(r.Groups) != len(tt.groups) {
			t.Fatalf("%s: %d groups, want %d: %+v", tt.groupBy, len(r.Groups), len(tt.groups), r.Groups)
		}
		for i, w := range tt.groups {
			checkGroup(t, tt.groupBy, r.Groups[i], w)
		}
		checkGroup(t, tt.groupBy+" total", r.Total, tt.total)
	}
}

func checkGroup(t *testing.T, what string, g CoverageGroup, w wantGroup) {
	t.Helper()
	got := wantGroup{g.Group, g.Applications, g.Companies, g.DeclaredWorkers, g.CompaniesWithEmployerData,
		g.DeclaredWithEmployerData, g.RegisteredWorkers, g.ActiveWorkers, g.RegisteredPct, g.ActivePct,
		g.Outcomes[OutcomeDeny], g.Outcomes[OutcomeReview], g.Outcomes[OutcomeAllow]}
	same := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
	if got.group != w.group || got.apps != w.apps || got.companies != w.companies || got.declared != w.declared ||
		got.withData != w.withData || got.declaredWithData != w.declaredWithData || got.registered != w.registered ||
		got.active != w.active || !same(got.regPct, w.regPct) || !same(got.actPct, w.actPct) ||
		got.deny != w.deny || got.review != w.review || got.allow != w.allow {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, w)
	}
}

func TestKBLISection(t *testing.T) {
	for kbli, want := range map[string]string{"01111": "A", "10110": "C", "47111": "G", "62019": "J",
		"86101": "Q", "99000": "U", "04000": "", "4711": ""} {
		if got := KBLISection(kbli); got != want {
			t.Errorf("KBLISection(%s) = %q, want %q", kbli, got, want)
		}
	}
}
