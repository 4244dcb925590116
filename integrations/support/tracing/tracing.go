// Package tracing is jkngate's OpenTelemetry adapter: the OTLP exporter set
// up from the standard OTEL_* variables (JKNGATE_TRACING=otlp), decorators
// that give spans to BPJS lookups (a gate.Registry) and store calls (a
// gate.Store), and a slog handler that puts the trace and span ids in log
// lines. gate itself knows nothing of tracing.
//
// Off (the default), nothing here is wired in: the process uses
// OpenTelemetry's global no-op provider and pays nothing on the hot path.
package tracing

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// ModeOTLP is the JKNGATE_TRACING value that turns tracing on.
const ModeOTLP = "otlp"

// instrumentation is the instrumentation scope of jkngate's spans.
const instrumentation = "github.com/jkngate/jkngate"

// Setup returns the tracer provider for mode: nil for "" (tracing off),
// or, for "otlp", an SDK provider batching spans to an OTLP/HTTP exporter
// configured by the standard OTEL_EXPORTER_OTLP_* variables (endpoint,
// headers, timeout, ...), with OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
// honoured (service.name defaults to "jkngate"). It also installs the
// provider and the W3C trace-context propagator globally, so that an
// incoming traceparent continues the caller's trace. shutdown flushes the
// spans still buffered; call it on exit.
func Setup(ctx context.Context, mode, version string) (tp trace.TracerProvider, shutdown func(context.Context) error, err error) {
	switch mode {
	case "":
		return nil, func(context.Context) error { return nil }, nil
	case ModeOTLP:
	default:
		return nil, nil, fmt.Errorf("tracing: unknown mode %q (want %q or empty)", mode, ModeOTLP)
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res, err := resource.Merge(
		resource.NewSchemaless(attribute.String("service.name", "jkngate"), attribute.String("service.version", version)),
		resource.Environment(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES win
	)
	if err != nil {
		return nil, nil, fmt.Errorf("tracing: resource: %w", err)
	}
	sdk := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(sdk)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return sdk, sdk.Shutdown, nil
}

// end ends span, recording err as its status when it is not nil.
func end(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
