package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.yaml.in/yaml/v3"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/sqlite"
)

// httpMethods are the operation keys of an OpenAPI path item.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

var echoParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// TestOpenAPIDocument: the document parses, is OpenAPI 3.1, is served as
// is by GET /openapi.yaml, and every schema, parameter and ref in it
// compiles and resolves.
func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc.root["openapi"].(string); !regexp.MustCompile(`^3\.1\.\d+$`).MatchString(v) {
		t.Errorf("openapi: %q, want 3.1.x", v)
	}

	rec := newTestAPI(t).do(httptest.NewRequest(http.MethodGet, "/openapi.yaml", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/yaml" {
		t.Fatalf("GET /openapi.yaml: %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if !bytes.Equal(rec.Body.Bytes(), api.OpenAPIDocument()) {
		t.Errorf("GET /openapi.yaml does not serve the embedded document")
	}
	var served map[string]any
	if err := yaml.Unmarshal(rec.Body.Bytes(), &served); err != nil || served["openapi"] != doc.root["openapi"] {
		t.Errorf("the served document does not parse: %v", err)
	}
	doc.checkResponse(t, http.MethodGet, "/openapi.yaml", rec)

	for name := range doc.root["components"].(map[string]any)["schemas"].(map[string]any) {
		if _, err := doc.schema(pointer("components", "schemas", name)); err != nil {
			t.Errorf("components/schemas/%s: %v", name, err)
		}
	}

	operationIDs := map[string]string{}
	for _, section := range []string{"paths", "webhooks"} {
		for route, item := range doc.root[section].(map[string]any) {
			for method := range item.(map[string]any) {
				if !slices.Contains(httpMethods, method) {
					t.Errorf("%s %s: %q is not an operation", section, route, method)
					continue
				}
				checkOperation(t, doc, section, route, method, operationIDs)
			}
		}
	}
}

// checkOperation checks one operation: a unique operationId, path
// parameters that are exactly the template's, and every parameter, body,
// response and header that resolves and compiles.
func checkOperation(t *testing.T, doc *openAPIDoc, section, route, method string, ids map[string]string) {
	t.Helper()
	where := section + " " + strings.ToUpper(method) + " " + route
	op := pointer(section, route, method)
	opObj, _ := doc.at(op)
	id, _ := opObj.(map[string]any)["operationId"].(string)
	if id == "" {
		t.Errorf("%s: no operationId", where)
	} else if other, dup := ids[id]; dup {
		t.Errorf("%s: operationId %q is also %s's", where, id, other)
	}
	ids[id] = where

	compile := func(ptr string) {
		if _, err := doc.schema(ptr); err != nil {
			t.Errorf("%s: #%s: %v", where, ptr, err)
		}
	}
	var pathParams []string
	params, _ := opObj.(map[string]any)["parameters"].([]any)
	for i := range params {
		ptr, p, err := doc.deref(op + pointer("parameters", strconv.Itoa(i)))
		if err != nil {
			t.Fatalf("%s: parameter %d: %v", where, i, err)
		}
		if p["in"] == "path" {
			pathParams = append(pathParams, p["name"].(string))
			if p["required"] != true {
				t.Errorf("%s: path parameter %v is not required", where, p["name"])
			}
		}
		compile(ptr + "/schema")
	}
	if section == "paths" {
		var want []string
		for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(route, -1) {
			want = append(want, m[1])
		}
		slices.Sort(pathParams)
		slices.Sort(want)
		if !slices.Equal(pathParams, want) {
			t.Errorf("%s: path parameters %v, want %v", where, pathParams, want)
		}
	}
	if _, ok := doc.at(op + "/requestBody"); ok {
		ptr, body, err := doc.deref(op + "/requestBody")
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		for mt := range body["content"].(map[string]any) {
			compile(ptr + pointer("content", mt, "schema"))
		}
	}
	responses, _ := doc.at(op + "/responses")
	if len(responses.(map[string]any)) == 0 {
		t.Errorf("%s: no responses", where)
	}
	for status := range responses.(map[string]any) {
		ptr, resp, err := doc.deref(op + pointer("responses", status))
		if err != nil {
			t.Fatalf("%s %s: %v", where, status, err)
		}
		if d, _ := resp["description"].(string); d == "" {
			t.Errorf("%s %s: no description", where, status)
		}
		if content, ok := resp["content"].(map[string]any); ok {
			for mt := range content {
				compile(ptr + pointer("content", mt, "schema"))
			}
		}
		if headers, ok := resp["headers"].(map[string]any); ok {
			for name := range headers {
				hptr, _, err := doc.deref(ptr + pointer("headers", name))
				if err != nil {
					t.Fatalf("%s %s: %v", where, status, err)
				}
				compile(hptr + "/schema")
			}
		}
	}
}

// TestOpenAPIRoutes: the document's paths and methods are exactly the
// routes New registers, with every optional route switched on.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	e := api.New(api.Deps{Gate: &gate.Service{}, People: &gate.People{}, Metrics: http.NotFoundHandler(),
		OSS: &api.OSSConfig{}})

	routed := map[string]bool{}
	for _, r := range e.Routes() {
		if r.Method == http.MethodHead || r.Method == http.MethodOptions {
			continue
		}
		routed[r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	documented := map[string]bool{}
	for route, item := range doc.root["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			if slices.Contains(httpMethods, method) {
				documented[strings.ToUpper(method)+" "+route] = true
			}
		}
	}
	for r := range routed {
		if !documented[r] {
			t.Errorf("%s is routed but not in openapi.yaml", r)
		}
	}
	for d := range documented {
		if !routed[d] {
			t.Errorf("%s is in openapi.yaml but not routed", d)
		}
	}
	if len(routed) < 15 {
		t.Errorf("only %d routes: %v", len(routed), routed)
	}
}

// TestOpenAPIRequestSchemas: the request schemas accept what the service
// accepts and refuse some of what it refuses, and the callback schema fits
// the document the callback sender encodes (api.DecisionResponse).
func TestOpenAPIRequestSchemas(t *testing.T) {
	doc := loadOpenAPI(t)
	body := func(method, route string) string {
		ptr, _, err := doc.deref(operationPointer(method, route) + "/requestBody")
		if err != nil {
			t.Fatal(err)
		}
		return ptr + pointer("content", "application/json", "schema")
	}
	webhook := body("POST", "/v1/webhooks/{client_id}")
	evaluate := body("POST", "/v1/companies/{nib}/evaluate")
	review := body("POST", "/v1/decisions/{decision_id}/review")
	contractExample := `{"type":"application.submitted","timestamp":"2026-11-22T10:00:00Z","data":{
		"application_id":"OSS-2026-000123","nib":"9120001234567","npwp":"012345678901234",
		"company_name":"PT Contoh Sejahtera","region_code":"1275","permit_type":"business_license",
		"kbli":["47111"],"risk_level":"menengah_tinggi","business_scale":"kecil","declared_workers":52,
		"workers":[{"nik":"1275014101900001"}],"callback_url":"https://licensing.example/hooks/jkngate"}}`
	tests := []struct {
		name, ptr, body string
		valid           bool
	}{
		{"contract example", webhook, contractExample, true},
		{"test default", webhook, string(event(t, nil)), true},
		{"no nib", webhook, string(event(t, map[string]string{"nib": ""})), false},
		{"no declared_workers", webhook, string(event(t, map[string]string{"declared_workers": ""})), false},
		{"negative declared_workers", webhook, string(event(t, map[string]string{"declared_workers": "-1"})), false},
		{"fractional declared_workers", webhook, string(event(t, map[string]string{"declared_workers": "52.5"})), false},
		{"unknown permit type", webhook, string(event(t, map[string]string{"permit_type": `"mining"`})), false},
		{"unknown risk level", webhook, string(event(t, map[string]string{"risk_level": `"extreme"`})), false},
		{"short NIK", webhook, string(event(t, map[string]string{"workers": `[{"nik":"1275"}]`})), false},
		{"no type", webhook, `{"data":{}}`, false},
		{"what-if without nib", evaluate,
			`{"application_id":"W-1","region_code":"1275","permit_type":"tender","declared_workers":3}`, true},
		{"what-if without region", evaluate, `{"application_id":"W-1","permit_type":"tender","declared_workers":3}`, false},
		{"uphold", review, `{"action":"uphold","note":"Checked with the branch office."}`, true},
		{"reevaluate without note", review, `{"action":"reevaluate"}`, true},
		{"override with a short note", review, `{"action":"override","note":"ok"}`, false},
		{"uphold without note", review, `{"action":"uphold"}`, false},
		{"unknown action", review, `{"action":"delete","note":"Checked with the branch office."}`, false},
	}
	for _, tt := range tests {
		err := doc.validate(tt.ptr, []byte(tt.body))
		if (err == nil) != tt.valid {
			t.Errorf("%s: valid %v, want %v: %v", tt.name, err == nil, tt.valid, err)
		}
	}

	// The callback: a real decision, encoded as the callback sender does.
	a := newTestAPI(t)
	rec := a.submit(t, "msg_callback", event(t, map[string]string{"permit_type": `"business_license"`,
		"declared_workers": "100"}))
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var d api.DecisionJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	msg, err := json.Marshal(map[string]any{"type": "decision.updated", "timestamp": "2026-11-22T10:05:00Z", "data": d})
	if err != nil {
		t.Fatal(err)
	}
	ptr, _, err := doc.deref(pointer("webhooks", "decision.updated", "post", "requestBody"))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.validate(ptr+pointer("content", "application/json", "schema"), msg); err != nil {
		t.Errorf("decision.updated: %v\n%s", err, msg)
	}
}

// TestOpenAPIResponses records real responses of every route, for every
// documented status, and validates each against the document; then checks
// that every status the document lists was seen.
func TestOpenAPIResponses(t *testing.T) {
	doc := loadOpenAPI(t)
	expect := func(t *testing.T, method, route string, rec *httptest.ResponseRecorder, status int) {
		t.Helper()
		if rec.Code != status {
			t.Errorf("%s %s: status %d, want %d; body %s", method, route, rec.Code, status, truncateBody(rec.Body.Bytes()))
			return
		}
		doc.checkResponse(t, method, route, rec)
	}

	t.Run("webhook", func(t *testing.T) {
		const route = "/v1/webhooks/{client_id}"
		a := newTestAPI(t)
		n := 0
		send := func(body []byte, status int) {
			n++
			expect(t, "POST", route, a.submit(t, fmt.Sprintf("msg_oa_%d", n), body), status)
		}
		send(event(t, nil), 200) // PERMIT_NOT_GATED
		send(event(t, map[string]string{"permit_type": `"business_license"`,
			"workers": `[{"nik":"` + validNIK + `"}]`}), 200) // COMPLIANT
		send(event(t, map[string]string{"permit_type": `"business_license"`, "declared_workers": "100",
			"risk_level": `"tinggi"`, "business_scale": `"kecil"`, "kbli": `["47111"]`}), 200) // deny, review open
		expect(t, "POST", route, a.submit(t, "msg_oa_1", event(t, nil)), 200) // a repeated delivery

		send([]byte(`{"type":`), 400)
		send(oversized(t), 413)
		send(bytes.Replace(event(t, nil), []byte("application.submitted"), []byte("application.withdrawn"), 1), 422)
		send(event(t, map[string]string{"nib": `"12"`, "declared_workers": `"52"`}), 422)
		expect(t, "POST", route, a.do(webhookRequest(t, "nobody", secret1, "msg_x", now, event(t, nil))), 404)
		missing := webhookRequest(t, clientID, secret1, "msg_x", now, event(t, nil))
		missing.Header.Del("webhook-signature")
		expect(t, "POST", route, a.do(missing), 401)
		expect(t, "POST", route, a.do(webhookRequest(t, clientID, "whsec_b3RoZXI=", "msg_x", now, event(t, nil))), 401)
		expect(t, "POST", route, a.do(webhookRequest(t, clientID, secret1, "msg_x", now.Add(-time.Hour), event(t, nil))), 401)

		a.store.fail = true
		send(event(t, nil), 503)
	})

	t.Run("oss", func(t *testing.T) { exerciseOSSResponses(t, expect) })

	t.Run("operations", func(t *testing.T) {
		down := func(context.Context) error { return errors.New("dial tcp: connection refused") }
		ok := func(context.Context) error { return nil }
		a := newTestAPI(t, api.Check{Name: "store", Required: true, Check: ok}, api.Check{Name: "bpjs", Check: down})
		expect(t, "GET", "/healthz", a.do(httptest.NewRequest("GET", "/healthz", nil)), 200)
		expect(t, "GET", "/readyz", a.do(httptest.NewRequest("GET", "/readyz", nil)), 200)
		expect(t, "GET", "/openapi.yaml", a.do(httptest.NewRequest("GET", "/openapi.yaml", nil)), 200)
		expect(t, "GET", "/docs", a.do(httptest.NewRequest("GET", "/docs", nil)), 200)
		a = newTestAPI(t, api.Check{Name: "store", Required: true, Check: down})
		expect(t, "GET", "/readyz", a.do(httptest.NewRequest("GET", "/readyz", nil)), 503)

		reg := prometheus.NewRegistry()
		reg.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: "jkngate_test", Help: "A test gauge."}))
		e := api.New(api.Deps{Gate: &gate.Service{}, Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{})})
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		expect(t, "GET", "/metrics", rec, 200)
	})

	t.Run("people", func(t *testing.T) {
		p := newPeopleEnv(t)
		p.seed(t)
		failedCallback, pendingCallback := p.seedCallbacks(t)
		call := func(a actor, method, path, route string, body any, status int) *httptest.ResponseRecorder {
			t.Helper()
			rec := p.as(t, a, method, path, body)
			expect(t, method, route, rec, status)
			return rec
		}
		const (
			company  = "/v1/companies/{nib}"
			evaluate = "/v1/companies/{nib}/evaluate"
			refresh  = "/v1/companies/{nib}/refresh"
			list     = "/v1/decisions"
			export   = "/v1/decisions/export.csv"
			one      = "/v1/decisions/{decision_id}"
			review   = "/v1/decisions/{decision_id}/review"
			reviews  = "/v1/reviews"
			coverage = "/v1/reports/coverage"
			audit    = "/v1/audit"
			cbs      = "/v1/callbacks"
			retry    = "/v1/callbacks/{id}/retry"
			imports  = "/v1/imports"
		)

		// Companies: employer found, not registered, no source, BPJS
		// down, never decided.
		call(officer1275, "GET", "/v1/companies/"+nibShared, company, nil, 200)
		call(officer1275, "GET", "/v1/companies/"+nibUnknown, company, nil, 200)
		call(officer1275, "GET", "/v1/companies/"+nibNoSource, company, nil, 200)
		call(admin, "GET", "/v1/companies/"+nibDown, company, nil, 200)
		call(admin, "GET", "/v1/companies/"+nibNeverSeen, company, nil, 200)
		call(officer1275, "GET", "/v1/companies/"+nibUnder, company, nil, 404)
		call(officer1275, "GET", "/v1/companies/123", company, nil, 422)

		whatIf := map[string]any{"application_id": "WHATIF-1", "region_code": "1275", "permit_type": "business_license",
			"declared_workers": 52, "workers": []map[string]string{{"nik": validNIK}}}
		call(officer1275, "POST", "/v1/companies/"+nibUnder+"/evaluate", evaluate, whatIf, 200)
		call(officer1275, "POST", "/v1/companies/"+nibShared+"/evaluate", evaluate, whatIf, 200)
		call(officer1275, "POST", "/v1/companies/"+nibShared+"/evaluate", evaluate, "{", 400)
		call(officer1275, "POST", "/v1/companies/"+nibShared+"/evaluate", evaluate, strings.Repeat(" ", 1<<20+1), 413)
		whatIf["nib"] = nibUnder
		call(officer1275, "POST", "/v1/companies/"+nibShared+"/evaluate", evaluate, whatIf, 422)
		delete(whatIf, "nib")
		whatIf["region_code"] = "3573"
		call(officer1275, "POST", "/v1/companies/"+nibShared+"/evaluate", evaluate, whatIf, 404)
		// What-ifs are limited per person: a burst, then 429.
		whatIf["region_code"] = "1275"
		for range gate.DefaultWhatIfLimits.Burst {
			call(officer12, "POST", "/v1/companies/"+nibShared+"/evaluate", evaluate, whatIf, 200)
		}
		call(officer12, "POST", "/v1/companies/"+nibShared+"/evaluate", evaluate, whatIf, 429)

		call(reviewer1275, "POST", "/v1/companies/"+nibShared+"/refresh", refresh, nil, 200)
		call(reviewer1275, "POST", "/v1/companies/"+nibUnder+"/refresh", refresh, nil, 404)
		call(reviewer1275, "POST", "/v1/companies/12345/refresh", refresh, nil, 422)

		// Reviews: uphold, override, reevaluate, and their errors.
		note := map[string]string{"action": "uphold", "note": "Confirmed with the BPJS branch office."}
		upheld := decode[api.DecisionJSON](t, call(reviewer1275, "POST", "/v1/decisions/"+p.ids["APP-1275-2"]+"/review", review, note, 200))
		call(reviewer1275, "POST", "/v1/decisions/"+p.ids["APP-1275-2"]+"/review", review, note, 409)
		note["action"] = "override"
		call(reviewer1275, "POST", "/v1/decisions/"+p.ids["APP-1275-3"]+"/review", review, note, 200)
		call(admin, "POST", "/v1/decisions/"+p.ids["APP-1272-2"]+"/review", review, map[string]string{"action": "reevaluate"}, 200)
		call(reviewer1275, "POST", "/v1/decisions/"+p.ids["APP-3573-2"]+"/review", review, note, 404)
		call(reviewer1275, "POST", "/v1/decisions/"+p.ids["APP-3573-2"]+"/review", review, "[", 400)
		call(reviewer1275, "POST", "/v1/decisions/"+p.ids["APP-3573-2"]+"/review", review, strings.Repeat(" ", 64<<10+1), 413)
		call(reviewer1275, "POST", "/v1/decisions/"+p.ids["APP-3573-2"]+"/review", review, map[string]string{"action": "uphold", "note": "no"}, 422)

		// Decisions.
		call(officer1275, "GET", "/v1/decisions/"+upheld.DecisionID, one, nil, 200)
		call(officer1275, "GET", "/v1/decisions/"+p.ids["APP-1275-1"], one, nil, 200)
		call(officer1275, "GET", "/v1/decisions/"+p.ids["APP-3573-1"], one, nil, 404)
		call(officer1275, "GET", "/v1/decisions/dec_nonexistent", one, nil, 404)
		page := decode[api.DecisionListJSON](t, call(admin, "GET", "/v1/decisions?limit=2", list, nil, 200))
		if page.NextCursor == nil {
			t.Errorf("no next_cursor on a first page of 2")
		}
		call(admin, "GET", "/v1/decisions?limit=2&cursor="+*page.NextCursor, list, nil, 200)
		call(officer12, "GET", "/v1/decisions?outcome=deny&region=12&since=2026-11-01&until=2026-11-30T00:00:00Z", list, nil, 200)
		call(officer1275, "GET", "/v1/decisions?nib=1&outcome=maybe&bogus=1", list, nil, 422)
		call(officer1275, "GET", "/v1/decisions/export.csv?region=1275", export, nil, 200)
		call(officer1275, "GET", "/v1/decisions/export.csv?limit=5", export, nil, 422)

		call(reviewer12, "GET", "/v1/reviews", reviews, nil, 200)
		call(reviewer12, "GET", "/v1/reviews?state=closed", reviews, nil, 200)
		call(reviewer12, "GET", "/v1/reviews?state=pending", reviews, nil, 422)
		call(admin, "GET", "/v1/reports/coverage", coverage, nil, 200)
		call(officer12, "GET", "/v1/reports/coverage?region=1272&since=2026-11-01", coverage, nil, 200)
		call(officer12, "GET", "/v1/reports/coverage?until=soon", coverage, nil, 422)
		call(admin, "GET", "/v1/audit?limit=3", audit, nil, 200)
		call(admin, "GET", "/v1/audit?actor=reviewer-medan&action=decision.read", audit, nil, 200)
		call(admin, "GET", "/v1/audit?limit=0", audit, nil, 422)
		call(admin, "GET", "/v1/callbacks?state=failed", cbs, nil, 200)
		call(admin, "GET", "/v1/callbacks?state=lost", cbs, nil, 422)
		call(admin, "POST", "/v1/callbacks/"+failedCallback+"/retry", retry, nil, 200)
		call(admin, "POST", "/v1/callbacks/"+pendingCallback+"/retry", retry, nil, 409)
		call(admin, "POST", "/v1/callbacks/cb_01JD3Z8X4Q2W6E8R0T2Y4V6K8M/retry", retry, nil, 404)
		expect(t, "POST", imports, p.upload(t, admin, "participants", "p.csv", participantsCSV(validNIK+";0;13;;2026-11-20")), 200)
		expect(t, "POST", imports, p.upload(t, admin, "participants", "p.csv", participantsCSV("12;0;13;;2026-11-20")), 422)
		expect(t, "POST", imports, p.upload(t, admin, "workers", "p.csv", "x"), 422)
		expect(t, "POST", imports, p.oversizedUpload(t, admin), 413)
		call(admin, "GET", "/v1/imports", imports, nil, 200)
		call(admin, "GET", "/v1/imports?limit=0", imports, nil, 422)

		// Every people's operation: 401 without a token (with a bearer
		// challenge), and 403 exactly for the roles the document does not
		// list in its security requirement.
		roleActors := map[string]actor{"officer": officer1275, "reviewer": reviewer1275, "admin": admin}
		for route, item := range doc.root["paths"].(map[string]any) {
			for method, op := range item.(map[string]any) {
				roles, secured := bearerRoles(op.(map[string]any))
				if !secured {
					continue
				}
				method = strings.ToUpper(method)
				path := strings.NewReplacer("{nib}", nibShared, "{decision_id}", p.ids["APP-1275-1"]).Replace(route)
				rec := p.call(t, method, path, "", nil)
				expect(t, method, route, rec, 401)
				rec = p.call(t, method, path, "not.a.token", nil)
				expect(t, method, route, rec, 401)
				expect(t, method, route, p.as(t, noRole, method, path, nil), 403)
				for role, a := range roleActors {
					rec := p.as(t, a, method, path, nil)
					if got, want := rec.Code == http.StatusForbidden, !slices.Contains(roles, role); got != want {
						t.Errorf("%s %s as %s: status %d; the document lists roles %v", method, route, role, rec.Code, roles)
					}
					if err := doc.validateResponse(method, route, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
						t.Error(err)
					}
				}
			}
		}

		// With the store gone: 503 with Retry-After wherever it is read.
		p.store.(*sqlite.Store).Close()
		call(officer1275, "GET", "/v1/companies/"+nibShared, company, nil, 503)
		call(reviewer1275, "POST", "/v1/companies/"+nibShared+"/refresh", refresh, nil, 503)
		call(officer1275, "POST", "/v1/companies/"+nibShared+"/evaluate", evaluate, whatIf, 503)
		call(officer1275, "GET", "/v1/decisions", list, nil, 503)
		call(officer1275, "GET", "/v1/decisions/export.csv", export, nil, 503)
		call(officer1275, "GET", "/v1/decisions/"+p.ids["APP-1275-1"], one, nil, 503)
		call(reviewer1275, "POST", "/v1/decisions/"+p.ids["APP-1275-1"]+"/review", review, map[string]string{"action": "reevaluate"}, 503)
		call(reviewer1275, "GET", "/v1/reviews", reviews, nil, 503)
		call(officer1275, "GET", "/v1/reports/coverage", coverage, nil, 503)
		call(admin, "GET", "/v1/audit", audit, nil, 503)
		call(admin, "GET", "/v1/callbacks", cbs, nil, 503)
		call(admin, "POST", "/v1/callbacks/"+failedCallback+"/retry", retry, nil, 503)
		expect(t, "POST", imports, p.upload(t, admin, "participants", "p.csv", participantsCSV(validNIK+";0;13;;2026-11-20")), 503)
		call(admin, "GET", "/v1/imports", imports, nil, 503)
	})

	// Every status the document lists was seen above: the document
	// promises nothing the service does not do.
	if t.Failed() {
		return
	}
	doc.mu.Lock()
	defer doc.mu.Unlock()
	for _, s := range doc.documentedStatuses() {
		if !doc.exercised[s] {
			t.Errorf("documented but never seen: %s", s)
		}
	}
}

// bearerRoles returns the role names of an operation's bearerAuth security
// requirement; secured is false for an operation without one.
func bearerRoles(op map[string]any) (roles []string, secured bool) {
	reqs, _ := op["security"].([]any)
	for _, r := range reqs {
		if names, ok := r.(map[string]any)["bearerAuth"].([]any); ok {
			secured = true
			for _, n := range names {
				roles = append(roles, n.(string))
			}
		}
	}
	return roles, secured
}
