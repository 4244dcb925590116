package api_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
)

const (
	sumutRule        = "Peraturan Gubernur Sumatera Utara Nomor 9 Tahun 2026"
	tanjungbalaiRule = "Peraturan Wali Kota Tanjungbalai Nomor 7 Tahun 2026"
)

// regionalAPI serves the webhook under a province policy with a regency
// override for Tanjungbalai (1272).
func regionalAPI(t *testing.T) *testAPI {
	t.Helper()
	p := gate.DefaultPolicy()
	p.Version = "sumut-2026.11"
	p.LegalBasis.Regional = sumutRule
	p.BranchOffices = map[string]gate.BranchOffice{"1272": {Name: "Tanjungbalai", Address: "Jl. Contoh No. 1"}}
	p.Regions = map[string]gate.Policy{"1272": p.Override("1272", func(r *gate.Policy) {
		r.MinWorkerCoverage = 0.9
		r.LegalBasis.Regional = tanjungbalaiRule
	})}
	store := newFakeStore()
	clients := map[string][]standardwebhooks.Secret{clientID: {mustSecret(t, secret1)}}
	e := api.New(api.Deps{
		Gate:    &gate.Service{Registry: fakeRegistry{}, Store: store, Policy: p, Now: func() time.Time { return now }},
		Clients: clients,
		Logger:  slog.New(slog.DiscardHandler),
		Now:     func() time.Time { return now },
	})
	return &testAPI{e: e, store: store}
}

// TestRegionalPolicyThroughWebhook: OSS's region forms are accepted and
// normalized, the longest matching region's policy decides, the decision
// names it, and a denial cites that region's instrument first.
func TestRegionalPolicyThroughWebhook(t *testing.T) {
	a := regionalAPI(t)
	tests := []struct {
		region, wantRegion, wantVersion, wantPolicyRegion, wantRule, wantOffice string
		wantOutcome                                                             gate.Outcome
	}{
		// 58 declared, 52 active: 0.9 x 58 = 52.2 -> 53 required.
		{`"1272000000"`, "1272", "sumut-2026.11/1272", "1272", tanjungbalaiRule, "Tanjungbalai", gate.OutcomeDeny},
		{`"12.72"`, "1272", "sumut-2026.11/1272", "1272", tanjungbalaiRule, "Tanjungbalai", gate.OutcomeDeny},
		{`"1275"`, "1275", "sumut-2026.11", "", sumutRule, "Care Center 165", gate.OutcomeDeny},
	}
	for i, tt := range tests {
		rec := a.submit(t, "msg_region_"+string(rune('a'+i)), event(t, map[string]string{
			"region_code": tt.region, "permit_type": `"business_license"`, "declared_workers": `58`,
			"business_scale": `"02"`, "bpjs_employer_code": `"01020304"`}))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", tt.region, rec.Code, rec.Body)
		}
		var d api.DecisionJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		if d.RegionCode != tt.wantRegion || d.PolicyVersion != tt.wantVersion || d.PolicyRegion != tt.wantPolicyRegion {
			t.Errorf("%s: region %q, policy %q/%q; want %q, %q/%q", tt.region, d.RegionCode, d.PolicyVersion,
				d.PolicyRegion, tt.wantRegion, tt.wantVersion, tt.wantPolicyRegion)
		}
		if d.Outcome != tt.wantOutcome || len(d.Reasons) == 0 {
			t.Fatalf("%s: outcome %s, want %s", tt.region, d.Outcome, tt.wantOutcome)
		}
		r := d.Reasons[0]
		if r.Code != gate.ReasonWorkersUnderRegistered || !strings.HasPrefix(r.LegalBasis, tt.wantRule+"; ") ||
			!strings.HasSuffix(r.LegalBasis, "PP 86/2013 Pasal 9") || !strings.Contains(r.Remedy, tt.wantOffice) {
			t.Errorf("%s: reason %s, legal_basis %q, remedy %q", tt.region, r.Code, r.LegalBasis, r.Remedy)
		}
	}
}

// TestOSSIdentifierForms: every Kemendagri form is accepted; malformed ones
// are a 422 naming data.region_code, and bad scales or employer codes name
// their fields.
func TestOSSIdentifierForms(t *testing.T) {
	a := newTestAPI(t)
	for i, region := range []string{`"12"`, `"1200000000"`, `"127501"`, `"12.75.01.1001"`, `"1275011001"`} {
		rec := a.submit(t, "msg_form_"+string(rune('a'+i)), event(t, map[string]string{"region_code": region,
			"business_scale": `"04"`}))
		if rec.Code != http.StatusOK {
			t.Errorf("region %s: status %d %s", region, rec.Code, rec.Body)
		}
	}
	for i, tt := range []struct{ field, value string }{
		{"region_code", `"12.7"`}, {"region_code", `"127"`}, {"region_code", `"0075"`}, {"region_code", `"1200001001"`},
		{"business_scale", `"05"`}, {"bpjs_employer_code", `"01-02"`},
	} {
		rec := a.submit(t, "msg_bad_"+string(rune('a'+i)), event(t, map[string]string{tt.field: tt.value}))
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s=%s: status %d, want 422", tt.field, tt.value, rec.Code)
			continue
		}
		if e := errorBody(t, rec); !slices.Contains(fieldNames(e.Fields), "data."+tt.field) {
			t.Errorf("%s=%s: fields %s", tt.field, tt.value, fmtFields(e.Fields))
		}
	}
}
