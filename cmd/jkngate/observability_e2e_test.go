package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// get fetches base+path and returns the status and body.
func (g *gateUnderTest) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(g.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

func TestEndToEndMetricsAndReadiness(t *testing.T) {
	g := startGate(t)
	e, _ := g.sim.Data().Pick(bpjssim.ScenarioCompliant)
	if status, d := g.post(t, "msg_metrics", applicationOf(e, "APP-metrics")); status != http.StatusOK || d.Outcome != "allow" {
		t.Fatalf("webhook: HTTP %d %s", status, d.Outcome)
	}

	status, metrics := g.get(t, "/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics: HTTP %d", status)
	}
	for _, want := range [][]string{
		{"jkngate_http_requests_total{", `route="/v1/webhooks/:client_id"`, `method="POST"`, `status="200"`, "} 1"},
		{"jkngate_http_request_duration_seconds_count{", `route="/v1/webhooks/:client_id"`},
		{`jkngate_decisions_total{outcome="allow"} 1`},
		{`jkngate_store_operation_duration_seconds_count{op="record_decision"} 1`},
		{`jkngate_store_operation_duration_seconds_count{op="decision_for_webhook"} 1`},
		{`jkngate_store_errors_total{kind="not_found",op="decision_for_webhook"} 1`},
		{"jkngate_callback_outbox_pending 0"},
		{`jkngate_webhook_verification_failures_total{code="invalid_signature"} 0`},
	} {
		if !hasLine(metrics, want...) {
			t.Errorf("/metrics has no line with %q", want)
		}
	}
	if strings.Contains(metrics, e.NIB) {
		t.Errorf("/metrics carries a NIB")
	}

	status, body := g.get(t, "/readyz")
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
		Info   struct {
			Breakers map[string]string `json:"bpjs_breakers"`
		} `json:"info"`
	}
	if err := json.Unmarshal([]byte(body), &ready); err != nil {
		t.Fatalf("/readyz body %s: %v", body, err)
	}
	if status != http.StatusOK || ready.Status != "ok" || ready.Checks["store"] != "ok" ||
		ready.Info.Breakers["employer"] != "closed" || ready.Info.Breakers["participant"] != "closed" {
		t.Errorf("/readyz: HTTP %d %s", status, body)
	}
}

// hasLine reports whether some line of text contains every one of parts.
func hasLine(text string, parts ...string) bool {
	for _, line := range strings.Split(text, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}
