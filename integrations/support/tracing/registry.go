package tracing

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/jkngate/jkngate/gate"
)

// Attribute keys of the lookup spans. NIKs and names never go in a span.
const (
	AttrEndpoint = attribute.Key("jkngate.bpjs.endpoint") // employer or participant
	AttrSource   = attribute.Key("jkngate.bpjs.source")   // the cache tier that answered: live (BPJS), cache, stale, none
	AttrFound    = attribute.Key("jkngate.bpjs.found")    // false: BPJS says not registered
	AttrBreaker  = attribute.Key("jkngate.bpjs.breaker")  // the endpoint's breaker after the lookup: closed, half_open, open
	AttrNIB      = attribute.Key("jkngate.nib")
)

// Registry is a gate.Registry whose lookups are spans ("bpjs.employer",
// "bpjs.participant") with the answering tier, whether the record was
// found, and the endpoint's breaker state.
type Registry struct {
	next     gate.Registry
	tracer   trace.Tracer
	breakers func() map[string]string // optional: the cache's BreakerStates
}

var _ gate.Registry = (*Registry)(nil)

// NewRegistry wraps next. breakers, optional, reports the breaker state by
// endpoint (the cached registry's BreakerStates); it is read only for spans
// that are recorded.
func NewRegistry(next gate.Registry, tp trace.TracerProvider, breakers func() map[string]string) *Registry {
	return &Registry{next: next, tracer: tp.Tracer(instrumentation), breakers: breakers}
}

// Employer implements gate.Registry.
func (r *Registry) Employer(ctx context.Context, nib string) (gate.EmployerLookup, error) {
	ctx, span := r.tracer.Start(ctx, "bpjs.employer", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(AttrEndpoint.String("employer"), AttrNIB.String(nib)))
	l, err := r.next.Employer(ctx, nib)
	r.finish(span, "employer", l.Found, l.Fetch.Source, err)
	return l, err
}

// Participant implements gate.Registry.
func (r *Registry) Participant(ctx context.Context, nik string) (gate.ParticipantLookup, error) {
	ctx, span := r.tracer.Start(ctx, "bpjs.participant", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(AttrEndpoint.String("participant")))
	l, err := r.next.Participant(ctx, nik)
	r.finish(span, "participant", l.Found, l.Fetch.Source, err)
	return l, err
}

func (r *Registry) finish(span trace.Span, endpoint string, found bool, src gate.Source, err error) {
	if span.IsRecording() {
		if err == nil {
			span.SetAttributes(AttrSource.String(string(src)), AttrFound.Bool(found))
		} else {
			span.SetAttributes(AttrSource.String(string(gate.SourceNone)))
		}
		if r.breakers != nil {
			if st, ok := r.breakers()[endpoint]; ok {
				span.SetAttributes(AttrBreaker.String(st))
			}
		}
	}
	end(span, err)
}
