package storemetrics

import (
	"context"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// RecordDecision implements gate.Store.
func (s *Instrumented) RecordDecision(ctx context.Context, d gate.Decision) (gate.Decision, bool, error) {
	start := time.Now()
	stored, created, err := s.next.RecordDecision(ctx, d)
	s.observe("record_decision", start, err)
	return stored, created, err
}

// DecisionForWebhook implements gate.Store.
func (s *Instrumented) DecisionForWebhook(ctx context.Context, clientID, webhookID string) (gate.Decision, error) {
	start := time.Now()
	d, err := s.next.DecisionForWebhook(ctx, clientID, webhookID)
	s.observe("decision_for_webhook", start, err)
	return d, err
}

// Decision implements gate.Store.
func (s *Instrumented) Decision(ctx context.Context, id string) (gate.Decision, error) {
	start := time.Now()
	d, err := s.next.Decision(ctx, id)
	s.observe("decision", start, err)
	return d, err
}

// Ping implements gate.Store.
func (s *Instrumented) Ping(ctx context.Context) error {
	start := time.Now()
	err := s.next.Ping(ctx)
	s.observe("ping", start, err)
	return err
}

// ListDecisions implements gate.DecisionReader.
func (s *Instrumented) ListDecisions(ctx context.Context, f gate.DecisionFilter) ([]gate.Decision, error) {
	start := time.Now()
	ds, err := s.next.ListDecisions(ctx, f)
	s.observe("list_decisions", start, err)
	return ds, err
}

// EachDecision implements gate.DecisionReader. The time fn takes (writing
// to a client, usually) is not the store's and is not counted.
func (s *Instrumented) EachDecision(ctx context.Context, f gate.DecisionFilter, fn func(gate.Decision) error) error {
	var inFn time.Duration
	start := time.Now()
	err := s.next.EachDecision(ctx, f, func(d gate.Decision) error {
		t := time.Now()
		defer func() { inFn += time.Since(t) }()
		return fn(d)
	})
	s.observe("each_decision", start.Add(inFn), err)
	return err
}

// ListReviews implements gate.DecisionReader.
func (s *Instrumented) ListReviews(ctx context.Context, f gate.ReviewFilter) ([]gate.Decision, error) {
	start := time.Now()
	ds, err := s.next.ListReviews(ctx, f)
	s.observe("list_reviews", start, err)
	return ds, err
}

// CountReviews implements gate.DecisionReader.
func (s *Instrumented) CountReviews(ctx context.Context, f gate.ReviewFilter) (int, error) {
	start := time.Now()
	n, err := s.next.CountReviews(ctx, f)
	s.observe("count_reviews", start, err)
	return n, err
}

// DecisionCounts implements gate.DecisionReader.
func (s *Instrumented) DecisionCounts(ctx context.Context, f gate.DecisionFilter) (map[gate.Outcome]int, error) {
	start := time.Now()
	counts, err := s.next.DecisionCounts(ctx, f)
	s.observe("decision_counts", start, err)
	return counts, err
}

// CloseReview implements gate.ReviewStore.
func (s *Instrumented) CloseReview(ctx context.Context, id string, r gate.Review, next *gate.Decision, callbacks []gate.Callback) error {
	start := time.Now()
	err := s.next.CloseReview(ctx, id, r, next, callbacks)
	s.observe("close_review", start, err)
	return err
}

// RecordSuperseding implements gate.ReviewStore.
func (s *Instrumented) RecordSuperseding(ctx context.Context, prevID string, d gate.Decision, callbacks []gate.Callback) error {
	start := time.Now()
	err := s.next.RecordSuperseding(ctx, prevID, d, callbacks)
	s.observe("record_superseding", start, err)
	return err
}

// RecordAccess implements gate.AuditLog.
func (s *Instrumented) RecordAccess(ctx context.Context, e gate.AuditEntry) error {
	start := time.Now()
	err := s.next.RecordAccess(ctx, e)
	s.observe("record_access", start, err)
	return err
}

// ListAudit implements gate.AuditLog.
func (s *Instrumented) ListAudit(ctx context.Context, f gate.AuditFilter) ([]gate.AuditEntry, error) {
	start := time.Now()
	es, err := s.next.ListAudit(ctx, f)
	s.observe("list_audit", start, err)
	return es, err
}

// ClaimCallbacks implements gate.Outbox.
func (s *Instrumented) ClaimCallbacks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]gate.Callback, error) {
	start := time.Now()
	cbs, err := s.next.ClaimCallbacks(ctx, now, lease, limit)
	s.observe("claim_callbacks", start, err)
	return cbs, err
}

// FinishCallback implements gate.Outbox.
func (s *Instrumented) FinishCallback(ctx context.Context, c gate.Callback) error {
	start := time.Now()
	err := s.next.FinishCallback(ctx, c)
	s.observe("finish_callback", start, err)
	return err
}

// ClaimRechecks implements gate.RecheckQueue.
func (s *Instrumented) ClaimRechecks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]gate.Recheck, error) {
	start := time.Now()
	rs, err := s.next.ClaimRechecks(ctx, now, lease, limit)
	s.observe("claim_rechecks", start, err)
	return rs, err
}

// FinishRecheck implements gate.RecheckQueue.
func (s *Instrumented) FinishRecheck(ctx context.Context, decisionID string, attempts int, next time.Time) error {
	start := time.Now()
	err := s.next.FinishRecheck(ctx, decisionID, attempts, next)
	s.observe("finish_recheck", start, err)
	return err
}

// ListCallbacks implements gate.DeliveryStore.
func (s *Instrumented) ListCallbacks(ctx context.Context, f gate.CallbackFilter) ([]gate.Callback, error) {
	start := time.Now()
	cbs, err := s.next.ListCallbacks(ctx, f)
	s.observe("list_callbacks", start, err)
	return cbs, err
}

// RetryCallback implements gate.DeliveryStore.
func (s *Instrumented) RetryCallback(ctx context.Context, id string, now time.Time) (gate.Callback, error) {
	start := time.Now()
	c, err := s.next.RetryCallback(ctx, id, now)
	s.observe("retry_callback", start, err)
	return c, err
}
