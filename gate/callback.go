package gate

import (
	"context"
	"time"
)

// CallbackState is where a callback delivery stands.
type CallbackState string

// The states of a callback delivery.
const (
	CallbackPending   CallbackState = "pending"
	CallbackDelivered CallbackState = "delivered"
	CallbackFailed    CallbackState = "failed" // gave up: last try failed, or 410 Gone
)

// Callback is one decision.updated notification to the licensing system,
// stored (in the outbox) in the same transaction as the decision that
// causes it, so that none is lost.
type Callback struct {
	ID          string
	DecisionID  string // the decision to send
	ClientID    string // the webhook client whose first secret signs it
	URL         string
	State       CallbackState
	Attempts    int
	NextAttempt time.Time
	LastError   string
	CreatedAt   time.Time
	// Kind is the message type; empty means CallbackKindDecisionUpdated.
	Kind string
	// DeliveredAt is when the receiver accepted it; zero until delivered.
	DeliveredAt time.Time
	// ApplicationID is the decision's application, filled in by listings
	// (ListCallbacks, RetryCallback) only.
	ApplicationID string
}

// CallbackKindDecisionUpdated is the kind of the decision.updated callbacks
// to the licensing system (the only kind today).
const CallbackKindDecisionUpdated = "decision.updated"

// CallbackRetrySchedule is the wait before each retry (README, callbacks):
// after the first failed attempt 5 s, then 5 min, ..., 24 h; after the last,
// the callback is failed.
var CallbackRetrySchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour}

// NextCallbackAttempt says when to try again after attempts failed attempts:
// the schedule's wait, or retryAfter when the receiver asked for longer; ok
// is false when the schedule is exhausted and the callback has failed.
func NextCallbackAttempt(attempts int, retryAfter time.Duration) (wait time.Duration, ok bool) {
	if attempts < 1 || attempts > len(CallbackRetrySchedule) {
		return 0, false
	}
	wait = CallbackRetrySchedule[attempts-1]
	if retryAfter > wait {
		wait = retryAfter
	}
	return wait, true
}

// Outbox is where callbacks wait for delivery. Deliveries are claimed with
// a lease, so that with several replicas each is attempted by one at a time,
// and one whose replica died is claimed again when the lease ends.
type Outbox interface {
	// ClaimCallbacks leases up to limit pending callbacks whose NextAttempt
	// is due at now, until now+lease.
	ClaimCallbacks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Callback, error)
	// FinishCallback stores the outcome of an attempt: c.State, Attempts,
	// NextAttempt and LastError, and ends the lease.
	FinishCallback(ctx context.Context, c Callback) error
}

// Recheck is a decision answered while BPJS could not be reached
// (REGISTRY_UNAVAILABLE), waiting to be evaluated again.
type Recheck struct {
	DecisionID  string
	Attempts    int
	NextAttempt time.Time
	Until       time.Time // give up after this
}

// RecheckQueue holds rechecks. A decision with a non-zero RecheckAt is
// enqueued by RecordDecision in the same transaction.
type RecheckQueue interface {
	// ClaimRechecks leases up to limit rechecks due at now, until
	// now+lease.
	ClaimRechecks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Recheck, error)
	// FinishRecheck stores the outcome: with a zero next the recheck is
	// done and removed; otherwise it waits until next.
	FinishRecheck(ctx context.Context, decisionID string, attempts int, next time.Time) error
}
