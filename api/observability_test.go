package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/support/logging"
)

// newObservedAPI is the webhook API with metrics on reg and every log line,
// gate's included, going as JSON to logs through the masking handler.
func newObservedAPI(t *testing.T, reg *prometheus.Registry, logs *syncBuffer) *testAPI {
	t.Helper()
	logger := slog.New(logging.NewMaskingHandler(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	onDecision, err := api.DecisionObserver(reg)
	if err != nil {
		t.Fatal(err)
	}
	store := newFakeStore()
	e := api.New(api.Deps{
		Gate: &gate.Service{Registry: fakeRegistry{}, Store: store, Policy: gate.DefaultPolicy(),
			Now: func() time.Time { return now }, Logger: logger, OnDecision: onDecision},
		Clients:    map[string][]standardwebhooks.Secret{clientID: {mustSecret(t, secret1)}},
		Logger:     logger,
		Now:        func() time.Time { return now },
		Registerer: reg,
	})
	return &testAPI{e: e, store: store}
}

// logLines decodes JSON log lines.
func logLines(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestLogLinesCarryRequestAttrs(t *testing.T) {
	logs := &syncBuffer{}
	a := newObservedAPI(t, prometheus.NewRegistry(), logs)
	req := webhookRequest(t, clientID, secret1, "msg_1", now, event(t, map[string]string{"workers": `[{"nik":"` + validNIK + `"}]`}))
	req.Header.Set("X-Request-ID", "req-deep")
	if rec := a.do(req); rec.Code != http.StatusOK {
		t.Fatalf("webhook: %d %s", rec.Code, rec.Body)
	}
	var deep, request map[string]any
	for _, l := range logLines(t, logs.String()) {
		switch l["msg"] {
		case "decision recorded": // logged by gate.Service.Submit
			deep = l
		case "request":
			request = l
		}
	}
	if deep == nil || request == nil {
		t.Fatalf("missing gate's or the request's line: %s", logs)
	}
	for _, l := range []map[string]any{deep, request} {
		if l["request_id"] != "req-deep" || l["client_id"] != clientID {
			t.Errorf("line %v lacks request_id req-deep and client_id %s", l, clientID)
		}
	}
	if strings.Count(logs.String(), `"request_id"`) != 2 {
		t.Errorf("request_id must appear once per line: %s", logs)
	}
}

func TestPeopleLogLinesCarrySubject(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	if rec := p.as(t, admin, "GET", "/v1/decisions/"+p.ids["APP-1275-1"], nil); rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	lines := logLines(t, p.logs.String())
	last := lines[len(lines)-1]
	if last["msg"] != "request" || last["sub"] != admin.sub || last["request_id"] == nil {
		t.Errorf("request line %v, want sub %s and a request_id", last, admin.sub)
	}
}

// metricValue returns the counter or gauge name with exactly labels
// (name, value pairs), or the sample count of a histogram; -1 when absent.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel())*2 != len(labels) {
				continue
			}
			for i, lp := range m.GetLabel() { // sorted by name
				if lp.GetName() != labels[2*i] || lp.GetValue() != labels[2*i+1] {
					continue next
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return -1
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	a := newObservedAPI(t, reg, &syncBuffer{})
	body := event(t, map[string]string{"workers": `[{"nik":"` + validNIK + `"}]`})
	for range 2 { // a replay is not a new decision
		if rec := a.submit(t, "msg_1", body); rec.Code != http.StatusOK {
			t.Fatalf("webhook: %d %s", rec.Code, rec.Body)
		}
	}
	a.do(webhookRequest(t, clientID, secret2, "msg_2", now, body))                 // invalid_signature
	a.do(webhookRequest(t, "nobody", secret1, "msg_3", now, body))                 // unknown_client
	a.do(webhookRequest(t, clientID, secret1, "msg_4", now.Add(-time.Hour), body)) // timestamp_out_of_tolerance
	a.do(httptest.NewRequest(http.MethodGet, "/v1/companies/"+validNIB+"/x", nil)) // no such route
	a.do(httptest.NewRequest(http.MethodGet, "/v1/webhooks/"+clientID, nil))       // wrong method
	a.do(httptest.NewRequest("BREW", "/healthz", nil))                             // odd method

	const webhook = "/v1/webhooks/:client_id"
	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"jkngate_http_requests_total", []string{"method", "POST", "route", webhook, "status", "200"}, 2},
		{"jkngate_http_requests_total", []string{"method", "POST", "route", webhook, "status", "401"}, 2},
		{"jkngate_http_requests_total", []string{"method", "POST", "route", webhook, "status", "404"}, 1},
		{"jkngate_http_requests_total", []string{"method", "GET", "route", "unmatched", "status", "404"}, 1},
		{"jkngate_http_requests_total", []string{"method", "GET", "route", webhook, "status", "405"}, 1},
		{"jkngate_http_requests_total", []string{"method", "other", "route", "/healthz", "status", "405"}, 1},
		{"jkngate_http_request_duration_seconds", []string{"method", "POST", "route", webhook}, 5},
		{"jkngate_webhook_verification_failures_total", []string{"code", "invalid_signature"}, 1},
		{"jkngate_webhook_verification_failures_total", []string{"code", "unknown_client"}, 1},
		{"jkngate_webhook_verification_failures_total", []string{"code", "timestamp_out_of_tolerance"}, 1},
		{"jkngate_webhook_verification_failures_total", []string{"code", "missing_signature_headers"}, 0},
		{"jkngate_decisions_total", []string{"outcome", "allow"}, 1},
		{"jkngate_decisions_total", []string{"outcome", "deny"}, 0},
		{"jkngate_decision_reasons_total", []string{"code", string(gate.ReasonPermitNotGated)}, 1},
	} {
		if got := metricValue(t, reg, tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	// No raw path (with its NIB or client id) becomes a label value.
	var out bytes.Buffer
	fams, _ := reg.Gather()
	for _, f := range fams {
		out.WriteString(f.String())
	}
	if strings.Contains(out.String(), validNIB) || strings.Contains(out.String(), "nobody") {
		t.Errorf("a raw path leaked into the labels: %s", out.String())
	}
}

func TestNoRegistererNoMetrics(t *testing.T) {
	a := newTestAPI(t) // no Registerer: nothing to register, nothing panics
	if rec := a.submit(t, "msg_1", event(t, nil)); rec.Code != http.StatusOK {
		t.Fatalf("webhook: %d %s", rec.Code, rec.Body)
	}
	// Two APIs on one registry share the collectors.
	reg := prometheus.NewRegistry()
	newObservedAPI(t, reg, &syncBuffer{})
	newObservedAPI(t, reg, &syncBuffer{})
}

func TestReadyzInfo(t *testing.T) {
	e := api.New(api.Deps{
		Checks: []api.Check{{Name: "store", Required: true, Check: func(context.Context) error { return nil }}},
		Info: []api.Info{{Name: "bpjs_breakers", Value: func(context.Context) any {
			return map[string]string{"employer": "open", "participant": "closed"}
		}}},
	})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	want := `{"status":"ok","checks":{"store":"ok"},"info":{"bpjs_breakers":{"employer":"open","participant":"closed"}}}`
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != want {
		t.Errorf("readyz: %d %s, want 200 %s", rec.Code, rec.Body, want)
	}
}

func TestReviewTellsOnDecision(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	var got []gate.Decision
	p.svc.OnDecision = func(d gate.Decision, created bool) {
		if created {
			got = append(got, d)
		}
	}
	rec := p.as(t, reviewer1275, "POST", reviewPath(p.ids["APP-1275-2"]),
		map[string]string{"action": "uphold", "note": "Checked with the employer."})
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if len(got) != 1 || got[0].Outcome != gate.OutcomeDeny || got[0].Supersedes != p.ids["APP-1275-2"] {
		t.Errorf("OnDecision got %+v, want the upholding deny", got)
	}
}
