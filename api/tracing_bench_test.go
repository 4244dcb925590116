package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
)

// BenchmarkWebhookTracing compares a webhook without tracing (the default:
// nothing wired in) and with an SDK provider recording every span.
func BenchmarkWebhookTracing(b *testing.B) {
	for _, tc := range []struct {
		name string
		tp   trace.TracerProvider
	}{
		{"off", nil},
		{"recording", sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))},
	} {
		b.Run(tc.name, func(b *testing.B) {
			t := &testing.T{} // the helpers take a *testing.T; they fail only on broken fixtures
			e := api.New(api.Deps{
				Gate: &gate.Service{Registry: fakeRegistry{}, Store: newFakeStore(), Policy: gate.DefaultPolicy(),
					Now: func() time.Time { return now }},
				Clients:        map[string][]standardwebhooks.Secret{clientID: {mustSecret(t, secret1)}},
				Now:            func() time.Time { return now },
				TracerProvider: tc.tp,
			})
			body := event(t, nil)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				serve(b, e, webhookRequest(t, clientID, secret1, fmt.Sprintf("msg_bench_%d", i), now, body))
			}
		})
	}
}

func serve(b *testing.B, e *echo.Echo, req *http.Request) {
	a := &testAPI{e: e}
	if rec := a.do(req); rec.Code != http.StatusOK {
		b.Fatalf("webhook: %d %s", rec.Code, rec.Body)
	}
}
