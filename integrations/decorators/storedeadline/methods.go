package storedeadline

import (
	"context"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// RecordDecision implements gate.Store.
func (s *Store) RecordDecision(ctx context.Context, d gate.Decision) (gate.Decision, bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.RecordDecision(ctx, d)
}

// DecisionForWebhook implements gate.Store.
func (s *Store) DecisionForWebhook(ctx context.Context, clientID, webhookID string) (gate.Decision, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.DecisionForWebhook(ctx, clientID, webhookID)
}

// Decision implements gate.Store.
func (s *Store) Decision(ctx context.Context, id string) (gate.Decision, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.Decision(ctx, id)
}

// Ping implements gate.Store.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.Ping(ctx)
}

// ListDecisions implements gate.DecisionReader.
func (s *Store) ListDecisions(ctx context.Context, f gate.DecisionFilter) ([]gate.Decision, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.ListDecisions(ctx, f)
}

// ListReviews implements gate.DecisionReader.
func (s *Store) ListReviews(ctx context.Context, f gate.ReviewFilter) ([]gate.Decision, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.ListReviews(ctx, f)
}

// DecisionCounts implements gate.DecisionReader.
func (s *Store) DecisionCounts(ctx context.Context, f gate.DecisionFilter) (map[gate.Outcome]int, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.DecisionCounts(ctx, f)
}

// CloseReview implements gate.ReviewStore.
func (s *Store) CloseReview(ctx context.Context, id string, r gate.Review, next *gate.Decision, callbacks []gate.Callback) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.CloseReview(ctx, id, r, next, callbacks)
}

// RecordSuperseding implements gate.ReviewStore.
func (s *Store) RecordSuperseding(ctx context.Context, prevID string, d gate.Decision, callbacks []gate.Callback) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.RecordSuperseding(ctx, prevID, d, callbacks)
}

// RecordAccess implements gate.AuditLog.
func (s *Store) RecordAccess(ctx context.Context, e gate.AuditEntry) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.RecordAccess(ctx, e)
}

// ListAudit implements gate.AuditLog.
func (s *Store) ListAudit(ctx context.Context, f gate.AuditFilter) ([]gate.AuditEntry, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.ListAudit(ctx, f)
}

// ClaimCallbacks implements gate.Outbox.
func (s *Store) ClaimCallbacks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]gate.Callback, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.ClaimCallbacks(ctx, now, lease, limit)
}

// FinishCallback implements gate.Outbox.
func (s *Store) FinishCallback(ctx context.Context, c gate.Callback) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.FinishCallback(ctx, c)
}

// ClaimRechecks implements gate.RecheckQueue.
func (s *Store) ClaimRechecks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]gate.Recheck, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.ClaimRechecks(ctx, now, lease, limit)
}

// FinishRecheck implements gate.RecheckQueue.
func (s *Store) FinishRecheck(ctx context.Context, decisionID string, attempts int, next time.Time) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.FinishRecheck(ctx, decisionID, attempts, next)
}

// ListCallbacks implements gate.DeliveryStore.
func (s *Store) ListCallbacks(ctx context.Context, f gate.CallbackFilter) ([]gate.Callback, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.ListCallbacks(ctx, f)
}

// RetryCallback implements gate.DeliveryStore.
func (s *Store) RetryCallback(ctx context.Context, id string, now time.Time) (gate.Callback, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.RetryCallback(ctx, id, now)
}

// CountReviews implements gate.DecisionReader.
func (s *Store) CountReviews(ctx context.Context, f gate.ReviewFilter) (int, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.Store.CountReviews(ctx, f)
}
