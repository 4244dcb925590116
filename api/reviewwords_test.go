package api_test

import (
	"strings"
	"testing"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
)

// TestReviewWordsThroughRouter: the sanction is the DPMPTSP's and BPJS staff
// verify facts, and the reasons of a review action say so.
func TestReviewWordsThroughRouter(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	review := func(app, action, note string) api.DecisionJSON {
		t.Helper()
		return decode[api.DecisionJSON](t, p.as(t, admin, "POST", "/v1/decisions/"+p.ids[app]+"/review",
			map[string]string{"action": action, "note": note}))
	}
	d := review("APP-1275-2", "uphold", "Data BPJS diperiksa: tidak terdaftar")
	if r := d.Reasons[0]; r.Code != gate.ReasonUpheld ||
		!strings.HasPrefix(r.MessageEN, "BPJS Kesehatan verified the data; the denial stands under PP 86/2013 Pasal 9") ||
		!strings.HasSuffix(r.LegalBasis, "PP 86/2013 Pasal 9") {
		t.Errorf("uphold of a denial: %+v", r)
	}
	d = review("APP-1275-3", "uphold", "Tidak ada data badan usaha; ditolak")
	if r := d.Reasons[0]; !strings.Contains(r.MessageEN, "on review, the application is denied under") ||
		strings.Contains(r.MessageEN, "upheld") {
		t.Errorf("uphold of a review case: %q", r.MessageEN)
	}
	d = review("APP-1272-2", "override", "52 workers registered on 2026-11-20, data lag")
	if r := d.Reasons[0]; r.Code != gate.ReasonOverridden ||
		!strings.HasPrefix(r.MessageEN, "BPJS Kesehatan verified: 52 workers registered on 2026-11-20, data lag.") ||
		r.Details["verified_fact"] != "52 workers registered on 2026-11-20, data lag" {
		t.Errorf("override: %+v", r)
	}
}
