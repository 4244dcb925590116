package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// JKNGATE_TRACING=otlp: a webhook's spans reach the OTLP endpoint the
// standard variable names (flushed at shutdown), and the request's log line
// carries a trace id.
func TestTracingExportsWebhookSpans(t *testing.T) {
	var mu sync.Mutex
	var exported bytes.Buffer
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		if r.URL.Path == "/v1/traces" {
			exported.Write(b)
		}
		mu.Unlock()
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)

	g := startGate(t, "JKNGATE_TRACING", "otlp", "JKNGATE_LOG_LEVEL", "info")
	e, _ := g.sim.Data().Pick(bpjssim.ScenarioCompliant)
	if status, _ := g.post(t, "msg_traced", applicationOf(e, "APP-traced")); status != http.StatusOK {
		t.Fatalf("webhook: HTTP %d", status)
	}
	g.stop(t)

	mu.Lock()
	got := exported.String()
	mu.Unlock()
	for _, span := range []string{"POST /v1/webhooks/:client_id", "webhook.verify", "webhook.evaluate", "bpjs.employer",
		"store.record_decision"} {
		if !strings.Contains(got, span) {
			t.Errorf("the collector did not get a %q span", span)
		}
	}
	traced := false
	for _, line := range strings.Split(g.logs.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "request" && rec["trace_id"] != nil {
			traced = true
		}
	}
	if !traced {
		t.Errorf("no request log line with a trace_id:\n%s", g.logs.String())
	}
}
