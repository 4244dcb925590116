package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// Issue 8 item 11: the webhook body is read strictly.
func TestWebhookBodyIsReadStrictly(t *testing.T) {
	valid := string(event(t, nil))
	data := func(s string) string { return strings.Replace(valid, `"data":{`, `"data":{`+s, 1) }
	tests := []struct {
		name   string
		body   string
		status int
		code   string
		fields string // "" when not checked
	}{
		{"duplicate top-level key", strings.Replace(valid, `"type":"application.submitted"`,
			`"type":"application.submitted","type":"application.submitted"`, 1), 400, "malformed_json", ""},
		{"duplicate data key", data(`"nib":"9120001234568",`), 400, "malformed_json", ""},
		{"duplicate key spelt with an escape", data(`"n\u0069b":"9120001234568",`), 400, "malformed_json", ""},
		{"invalid UTF-8", data("\"company_name\":\"PT \xff\xfe\","), 400, "malformed_json", ""},
		{"lone surrogate", data(`"company_name":"PT \udc00",`), 400, "malformed_json", ""},
		{"too deep", data(`"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `,`), 400, "malformed_json", ""},
		{"upper-case type", strings.Replace(valid, `"type"`, `"TYPE"`, 1), 422, "invalid_application", "[TYPE type]"},
		{"upper-case NIB", strings.Replace(valid, `"nib"`, `"NIB"`, 1), 422, "invalid_application", "[data.NIB data.nib]"},
		{"kelvin-sign kbli", data(`"\u212abli":["47111"],`), 422, "invalid_application", "[data.\\u212abli]"},
		{"upper-case worker key", data(`"workers":[{"NIK":"1275014101900001"}],`), 422, "invalid_application",
			"[data.workers[0].NIK data.workers[0].nik]"},
		{"bidi override in application_id", strings.Replace(valid, `"OSS-2026-000123"`, `"OSS-\u202e321"`, 1),
			422, "invalid_application", "[data.application_id]"},
		{"zero-width in company_name", data(`"company_name":"PT\u200bX",`), 422, "invalid_application", "[data.company_name]"},
		{"array over the bound", data(`"kbli":[` + strings.Repeat(`"47111",`, 10_000) + `"47111"],`), 422,
			"invalid_application", "[data.kbli]"},
		{"workers over the bound", data(`"workers":[` + strings.Repeat(`{},`, 10_000) + `{}],`), 422,
			"invalid_application", "[data.workers]"},
	}
	a := newTestAPI(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := a.submit(t, "msg-strict-"+string(rune('a'+i)), []byte(tt.body))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %.300s", rec.Code, tt.status, rec.Body)
			}
			e := errorBody(t, rec)
			if e.Code != tt.code || (tt.fields != "" && fmtFields(e.Fields) != tt.fields) {
				t.Errorf("got %s %s, want %s %s", e.Code, fmtFields(e.Fields), tt.code, tt.fields)
			}
		})
	}
	if a.store.recorded != 0 {
		t.Errorf("%d decisions recorded", a.store.recorded)
	}
	// Escapes that decode to valid text stay accepted.
	ok := strings.Replace(valid, `"OSS-2026-000123"`, `"OSS-\u00d1and\u00fa-\ud83d\ude00"`, 1)
	if rec := a.submit(t, "msg-strict-ok", []byte(ok)); rec.Code != http.StatusOK {
		t.Errorf("escaped valid text: %d %s", rec.Code, rec.Body)
	}
}

// The people's API bodies get the same strict reading.
func TestPeopleBodiesAreReadStrictly(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	whatIf := "/v1/companies/" + nibShared + "/evaluate"
	base := `{"application_id":"W-1","region_code":"1275","permit_type":"business_license","declared_workers":52`
	review := reviewPath(p.ids["APP-1275-2"])
	tests := []struct {
		name, path, body string
		status           int
		code, fields     string
	}{
		{"what-if duplicate key", whatIf, base + `,"declared_workers":1}`, 400, "malformed_json", ""},
		{"what-if invalid UTF-8", whatIf, base + ",\"company_name\":\"\xff\"}", 400, "malformed_json", ""},
		{"what-if upper-case key", whatIf, base + `,"KBLI":["47111"]}`, 422, "invalid_application", "[KBLI]"},
		{"what-if huge declared", whatIf, strings.Replace(base, "52", "9223372036854775807", 1) + "}", 422,
			"invalid_application", "[declared_workers]"},
		{"what-if array over the bound", whatIf, base + `,"workers":[` + strings.Repeat(`{},`, 10_000) + `{}]}`, 422,
			"invalid_application", "[workers]"},
		{"review duplicate key", review, `{"action":"uphold","action":"override","note":"checked on file today"}`,
			400, "malformed_json", ""},
		{"review upper-case key", review, `{"ACTION":"uphold","note":"checked on file today"}`, 422, "invalid_review", "[ACTION]"},
		{"review array over the bound", review, `{"action":[` + strings.Repeat(`1,`, 10_000) + `1]}`, 422,
			"invalid_review", "[action]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := p.as(t, reviewer1275, "POST", tt.path, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %.300s", rec.Code, tt.status, rec.Body)
			}
			e := errorBody(t, rec)
			if e.Code != tt.code || (tt.fields != "" && fmtFields(e.Fields) != tt.fields) {
				t.Errorf("got %s %s, want %s %s", e.Code, fmtFields(e.Fields), tt.code, tt.fields)
			}
		})
	}
}
