package api_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/support/tracing"
)

// With a tracer provider, a webhook is one trace: the request's server
// span, and under it the signature check and the evaluation, which holds
// each BPJS lookup (with its cache tier and breaker state) and the store
// write. Log lines of the request carry its trace and span ids.
func TestWebhookTrace(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })

	var logs bytes.Buffer
	store := newFakeStore()
	breakers := func() map[string]string { return map[string]string{"employer": "closed", "participant": "open"} }
	e := api.New(api.Deps{
		Gate: &gate.Service{Registry: tracing.NewRegistry(fakeRegistry{}, tp, breakers), Store: tracing.NewStore(store, tp),
			Policy: gate.DefaultPolicy(), Now: func() time.Time { return now }},
		Clients:        map[string][]standardwebhooks.Secret{clientID: {mustSecret(t, secret1)}},
		Logger:         slog.New(tracing.NewLogHandler(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		Now:            func() time.Time { return now },
		TracerProvider: tp,
	})
	a := &testAPI{e: e, store: store, logs: &logs}
	body := event(t, map[string]string{"permit_type": `"business_license"`, "workers": `[{"nik":"` + validNIK + `"}]`})
	req := webhookRequest(t, clientID, secret1, "msg_trace", now, body)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if rec := a.do(req); rec.Code != http.StatusOK {
		t.Fatalf("webhook: %d %s", rec.Code, rec.Body)
	}

	spans := exp.GetSpans()
	byName := map[string]tracetest.SpanStub{}
	for _, s := range spans {
		byName[s.Name] = s
	}
	root, ok := byName["POST /v1/webhooks/:client_id"]
	if !ok {
		t.Fatalf("no server span; spans: %v", names(spans))
	}
	if got := root.SpanContext.TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("trace id %s: the caller's traceparent was not continued", got)
	}
	parentOf := map[string]string{
		"webhook.verify":        "POST /v1/webhooks/:client_id",
		"webhook.evaluate":      "POST /v1/webhooks/:client_id",
		"bpjs.employer":         "webhook.evaluate",
		"bpjs.participant":      "webhook.evaluate",
		"store.record_decision": "webhook.evaluate",
	}
	for child, parent := range parentOf {
		c, ok := byName[child]
		if !ok {
			t.Errorf("no %s span; spans: %v", child, names(spans))
			continue
		}
		if c.Parent.SpanID() != byName[parent].SpanContext.SpanID() {
			t.Errorf("%s's parent is not %s", child, parent)
		}
	}
	attrs := func(name string) map[string]string {
		out := map[string]string{}
		for _, kv := range byName[name].Attributes {
			out[string(kv.Key)] = kv.Value.Emit()
		}
		return out
	}
	if got := attrs("bpjs.employer"); got["jkngate.bpjs.source"] != "live" || got["jkngate.bpjs.breaker"] != "closed" ||
		got["jkngate.bpjs.found"] != "true" || got["jkngate.nib"] != validNIB {
		t.Errorf("bpjs.employer attributes %v", got)
	}
	if got := attrs("bpjs.participant"); got["jkngate.bpjs.breaker"] != "open" || got["jkngate.bpjs.source"] != "live" {
		t.Errorf("bpjs.participant attributes %v", got)
	}
	if got := attrs("POST /v1/webhooks/:client_id"); got["http.response.status_code"] != "200" {
		t.Errorf("server span attributes %v", got)
	}
	for _, s := range spans {
		for _, kv := range s.Attributes {
			if strings.Contains(kv.Value.Emit(), validNIK) {
				t.Errorf("span %s shows a NIK in %s", s.Name, kv.Key)
			}
		}
	}

	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(l), &rec) == nil && rec["msg"] == "request" {
			line = rec
		}
	}
	if line["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" || line["span_id"] != root.SpanContext.SpanID().String() {
		t.Errorf("the request log line %v does not carry the trace and the server span's ids", line)
	}
}

// A failed signature check is an error span, and the evaluation never
// starts.
func TestWebhookTraceRefused(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	e := api.New(api.Deps{
		Gate:           &gate.Service{Registry: fakeRegistry{}, Store: newFakeStore(), Policy: gate.DefaultPolicy()},
		Clients:        map[string][]standardwebhooks.Secret{clientID: {mustSecret(t, secret1)}},
		Now:            func() time.Time { return now },
		TracerProvider: tp,
	})
	a := &testAPI{e: e}
	if rec := a.do(webhookRequest(t, clientID, secret2, "msg_bad", now, event(t, nil))); rec.Code != http.StatusUnauthorized {
		t.Fatalf("badly signed webhook: %d", rec.Code)
	}
	got := names(exp.GetSpans())
	if strings.Join(got, ",") != "webhook.verify,POST /v1/webhooks/:client_id" {
		t.Fatalf("spans %v, want the verify span and the server span only", got)
	}
	if s := exp.GetSpans()[0]; s.Status.Code.String() != "Error" {
		t.Errorf("webhook.verify status %v, want Error", s.Status)
	}
}

func names(spans tracetest.SpanStubs) []string {
	return pick(spans, func(s tracetest.SpanStub) string { return s.Name })
}
