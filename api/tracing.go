package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// traceRequests makes every request a server span named after its route
// ("POST /v1/webhooks/:client_id"), continuing the caller's trace when it
// sent a traceparent header. Installed only with Deps.TracerProvider.
func (s *server) traceRequests(next echo.HandlerFunc) echo.HandlerFunc {
	prop := propagation.TraceContext{} // W3C traceparent, whatever the global propagator
	return func(c echo.Context) error {
		req := c.Request()
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		ctx := prop.Extract(req.Context(), propagation.HeaderCarrier(req.Header))
		ctx, span := s.tracer.Start(ctx, req.Method+" "+route, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", req.Method), attribute.String("http.route", route)))
		defer span.End()
		c.SetRequest(req.WithContext(ctx))
		err := next(c)
		status := c.Response().Status
		if err != nil {
			c.Error(err) // the status is known only once the error is answered
			status = c.Response().Status
		}
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if status >= http.StatusInternalServerError {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
		return nil
	}
}

// span runs fn in a child span name of ctx's span; without tracing it just
// runs fn.
func (s *server) span(ctx context.Context, name string, fn func(ctx context.Context) error) error {
	if s.tracer == nil {
		return fn(ctx)
	}
	ctx, span := s.tracer.Start(ctx, name)
	err := fn(ctx)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
	return err
}
