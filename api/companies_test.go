package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/jkngate/jkngate/api"
)

func TestCompanyShape(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	rec := p.as(t, reviewer1275, "GET", "/v1/companies/"+nibShared, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	top := decodeObject(t, rec.Body.Bytes())
	if got, want := sortedKeys(top), []string{"bpjs", "decision_counts", "latest_decision", "nib", "open_review"}; !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
	bpjs := decodeObject(t, top["bpjs"])
	want := []string{"active_workers", "arrears_amount", "arrears_months", "as_of", "data_date", "employer_code", "found",
		"last_paid_period", "name", "registered_workers", "source", "status", "status_text"}
	if got := sortedKeys(bpjs); !slices.Equal(got, want) {
		t.Errorf("bpjs keys %v, want %v", got, want)
	}
	for k, v := range map[string]string{"source": `"live"`, "as_of": `"2026-11-22T09:59:00Z"`, "found": `true`,
		"active_workers": `52`, "status": `"1"`, "employer_code": `"01020304"`} {
		if string(bpjs[k]) != v {
			t.Errorf("bpjs.%s = %s, want %s", k, bpjs[k], v)
		}
	}
	if string(top["decision_counts"]) != `{"allow":1,"deny":0,"review":0}` || string(top["open_review"]) != "null" {
		t.Errorf("counts %s, open review %s", top["decision_counts"], top["open_review"])
	}
	var latest map[string]json.RawMessage
	if err := json.Unmarshal(top["latest_decision"], &latest); err != nil || !slices.Equal(sortedKeys(latest), decisionKeys) {
		t.Errorf("latest_decision %s is not a decision", top["latest_decision"])
	}

	for _, tc := range []struct {
		nib, bpjs string
	}{
		{nibUnknown, `{"source":"live","as_of":"2026-11-22T09:59:00Z","found":false}`},
		{nibNoSource, `{"error":{"code":"employer_source_disabled","message":"no BPJS employer data source is configured"}}`},
		{nibDown, `{"error":{"code":"registry_unavailable","message":"BPJS Kesehatan could not be reached; try again later"}}`},
	} {
		// Admins see companies never decided, too.
		c := decodeObject(t, p.as(t, admin, "GET", "/v1/companies/"+tc.nib, nil).Body.Bytes())
		if string(c["bpjs"]) != tc.bpjs {
			t.Errorf("%s: bpjs %s, want %s", tc.nib, c["bpjs"], tc.bpjs)
		}
	}
	c := decodeObject(t, p.as(t, admin, "GET", "/v1/companies/"+nibDown, nil).Body.Bytes())
	if string(c["latest_decision"]) != "null" || string(c["decision_counts"]) != `{"allow":0,"deny":0,"review":0}` {
		t.Errorf("company never decided: %v", c)
	}
	if rec := p.as(t, admin, "GET", "/v1/companies/12345", nil); rec.Code != 422 || !slices.Equal(fieldNames(errorBody(t, rec).Fields), []string{"nib"}) {
		t.Errorf("malformed nib: %d %s", rec.Code, rec.Body)
	}
}

func TestRefreshDropsCachedData(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	c := decode[api.CompanyJSON](t, p.as(t, reviewer1275, "POST", "/v1/companies/"+nibShared+"/refresh", nil))
	if c.NIB != nibShared || c.LatestDecision == nil {
		t.Errorf("refresh answered %+v", c)
	}
	if !slices.Equal(p.dropped.nibs, []string{nibShared}) {
		t.Errorf("invalidated %v", p.dropped.nibs)
	}
}

func TestWhatIf(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	before := p.countDecisions(t)
	path := "/v1/companies/" + nibUnknown + "/evaluate"

	rec := p.as(t, officer1275, "POST", path, whatIf("1275"))
	d := decodeObject(t, rec.Body.Bytes())
	if rec.Code != http.StatusOK || string(d["dry_run"]) != "true" || string(d["nib"]) != `"`+nibUnknown+`"` ||
		string(d["outcome"]) != `"deny"` || string(d["review"]) != "null" {
		t.Errorf("what-if: %d %s", rec.Code, rec.Body)
	}
	body := whatIf("1275")
	body["nib"] = nibUnknown
	if rec := p.as(t, officer1275, "POST", path, body); rec.Code != http.StatusOK {
		t.Errorf("with the path's nib: %d %s", rec.Code, rec.Body)
	}

	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		fields []string
	}{
		{"another nib", func() any { b := whatIf("1275"); b["nib"] = nibShared; return b }(), 422, "invalid_application", []string{"nib"}},
		{"invalid fields", map[string]any{"region_code": "1275", "declared_workers": -1, "permit_type": "visa"}, 422,
			"invalid_application", []string{"application_id", "permit_type", "declared_workers"}},
		{"not JSON", "{", 400, "malformed_json", nil},
		{"not an object", `"x"`, 400, "malformed_json", nil},
	} {
		rec := p.as(t, officer1275, "POST", path, tc.body)
		if rec.Code != tc.status {
			t.Errorf("%s: status %d, body %s", tc.name, rec.Code, rec.Body)
			continue
		}
		if e := errorBody(t, rec); e.Code != tc.code || !slices.Equal(fieldNames(e.Fields), tc.fields) {
			t.Errorf("%s: %s %v, want %s %v", tc.name, e.Code, fieldNames(e.Fields), tc.code, tc.fields)
		}
	}
	if after := p.countDecisions(t); after != before {
		t.Errorf("what-if recorded %d decisions", after-before)
	}
	if strings.Contains(p.logs.String(), `"level":"ERROR"`) {
		t.Errorf("errors logged: %s", p.logs)
	}
}
