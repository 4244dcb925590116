package tracing

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/jkngate/jkngate/gate"
)

// Store is a gate.Store whose calls are spans ("store.record_decision",
// ...). It wraps what the webhook path uses.
type Store struct {
	next   gate.Store
	tracer trace.Tracer
}

var _ gate.Store = (*Store)(nil)

// NewStore wraps next.
func NewStore(next gate.Store, tp trace.TracerProvider) *Store {
	return &Store{next: next, tracer: tp.Tracer(instrumentation)}
}

func (s *Store) start(ctx context.Context, op string) (context.Context, trace.Span) {
	return s.tracer.Start(ctx, "store."+op, trace.WithSpanKind(trace.SpanKindClient))
}

// RecordDecision implements gate.Store; the span says whether the decision
// was created (false: a repeated delivery).
func (s *Store) RecordDecision(ctx context.Context, d gate.Decision) (gate.Decision, bool, error) {
	ctx, span := s.start(ctx, "record_decision")
	stored, created, err := s.next.RecordDecision(ctx, d)
	span.SetAttributes(attribute.Bool("jkngate.created", created))
	end(span, err)
	return stored, created, err
}

// DecisionForWebhook implements gate.Store.
func (s *Store) DecisionForWebhook(ctx context.Context, clientID, webhookID string) (gate.Decision, error) {
	ctx, span := s.start(ctx, "decision_for_webhook")
	d, err := s.next.DecisionForWebhook(ctx, clientID, webhookID)
	if gate.KindOf(err) == gate.KindNotFound {
		span.End() // not found is an answer, not a failure
		return d, err
	}
	end(span, err)
	return d, err
}

// Decision implements gate.Store.
func (s *Store) Decision(ctx context.Context, id string) (gate.Decision, error) {
	ctx, span := s.start(ctx, "decision")
	d, err := s.next.Decision(ctx, id)
	end(span, err)
	return d, err
}

// Ping implements gate.Store.
func (s *Store) Ping(ctx context.Context) error {
	ctx, span := s.start(ctx, "ping")
	err := s.next.Ping(ctx)
	end(span, err)
	return err
}
