package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/jkngate/jkngate/gate"
)

func TestSetupOff(t *testing.T) {
	tp, shutdown, err := Setup(t.Context(), "", "test")
	if err != nil || tp != nil || shutdown(t.Context()) != nil {
		t.Errorf("Setup(\"\") = %v, %v: want no provider, no error", tp, err)
	}
	if _, _, err := Setup(t.Context(), "jaeger", "test"); err == nil {
		t.Errorf("Setup(\"jaeger\") did not fail")
	}
}

// JKNGATE_TRACING=otlp exports over OTLP/HTTP to the endpoint the standard
// variable names, with jkngate's service name.
func TestSetupOTLPExports(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	var bodies [][]byte
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		paths, bodies = append(paths, r.URL.Path), append(bodies, b)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_SERVICE_NAME", "")
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })

	tp, shutdown, err := Setup(t.Context(), ModeOTLP, "v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	_, span := tp.Tracer("test").Start(context.Background(), "exported-span")
	span.End()
	if err := shutdown(t.Context()); err != nil { // flushes the batch
		t.Fatalf("shutdown: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(paths) == 0 || paths[0] != "/v1/traces" {
		t.Fatalf("the collector got %v, want a POST to /v1/traces", paths)
	}
	if !bytes.Contains(bodies[0], []byte("exported-span")) || !bytes.Contains(bodies[0], []byte("jkngate")) {
		t.Errorf("the export does not hold the span and the service name")
	}
}

type fakeRegistry struct{ err error }

func (f fakeRegistry) Employer(context.Context, string) (gate.EmployerLookup, error) {
	return gate.EmployerLookup{Found: true, Fetch: gate.Fetch{Source: gate.SourceStale}}, f.err
}

func (f fakeRegistry) Participant(context.Context, string) (gate.ParticipantLookup, error) {
	return gate.ParticipantLookup{}, f.err
}

func TestRegistrySpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	calls := 0
	breakers := func() map[string]string { calls++; return map[string]string{"employer": "half_open"} }
	r := NewRegistry(fakeRegistry{}, tp, breakers)
	if _, err := r.Employer(t.Context(), "9120001234567"); err != nil {
		t.Fatal(err)
	}
	down := NewRegistry(fakeRegistry{err: gate.Errorf(gate.KindUnavailable, "bpjs_unavailable", "down")}, tp, nil)
	if _, err := down.Participant(t.Context(), "1275014101900001"); err == nil {
		t.Fatal("the failing registry did not fail")
	}
	spans := exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	emp, part := spans[0], spans[1]
	got := map[string]string{}
	for _, kv := range emp.Attributes {
		got[string(kv.Key)] = kv.Value.Emit()
	}
	if got["jkngate.bpjs.source"] != "stale" || got["jkngate.bpjs.breaker"] != "half_open" || got["jkngate.bpjs.endpoint"] != "employer" {
		t.Errorf("employer span attributes %v", got)
	}
	if part.Status.Code.String() != "Error" || len(part.Events) == 0 {
		t.Errorf("the failed participant lookup's span: status %v, %d events; want an error", part.Status, len(part.Events))
	}
	for _, kv := range part.Attributes {
		if strings.Contains(kv.Value.Emit(), "1275014101900001") {
			t.Errorf("the participant span shows the NIK")
		}
	}

	// Not recorded: the breaker states are not read.
	calls = 0
	quiet := NewRegistry(fakeRegistry{}, noop.NewTracerProvider(), breakers)
	_, _ = quiet.Employer(t.Context(), "9120001234567")
	if calls != 0 {
		t.Errorf("breaker states read %d times for an unrecorded span", calls)
	}
}

func TestLogHandlerAddsTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(NewLogHandler(slog.NewJSONHandler(&buf, nil))).With("component", "test")
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("test").Start(context.Background(), "op")
	logger.InfoContext(ctx, "inside")
	span.End()
	logger.InfoContext(context.Background(), "outside")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var in, out map[string]any
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &in) != nil || json.Unmarshal([]byte(lines[1]), &out) != nil {
		t.Fatalf("logged %q", buf.String())
	}
	if in["trace_id"] != span.SpanContext().TraceID().String() || in["span_id"] != span.SpanContext().SpanID().String() ||
		in["component"] != "test" {
		t.Errorf("inside a span: %v, want its trace and span ids", in)
	}
	if _, ok := out["trace_id"]; ok {
		t.Errorf("outside a span: %v, want no trace id", out)
	}
}
