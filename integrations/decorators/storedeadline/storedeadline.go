// Package storedeadline bounds every call to a decision store with a
// deadline, so that a store that stops answering (a black-holed database, a
// lock held by another process) costs a caller at most that long and then a
// KindUnavailable error, instead of a hang.
//
// The deadline of a call is the earlier of the caller's own (the webhook's
// budget, for instance) and the decorator's fixed timeout from the start of
// the call. The stores honour it: pgx interrupts a blocked socket read when
// the context ends, and the SQLite driver interrupts a busy wait.
package storedeadline

import (
	"context"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/decorators/storemetrics"
	"github.com/jkngate/jkngate/integrations/internal/batch"
)

// DefaultTimeout is the deadline of a store call whose caller has none
// earlier: the people's API and the background work (callback delivery,
// rechecks, retention). It is generous for one query on a healthy store and
// short enough that a dead one is noticed and reported.
const DefaultTimeout = 10 * time.Second

// codeNotSupported is the code of the error of a count the wrapped store
// cannot make.
const codeNotSupported = "not_supported"

var _ storemetrics.Store = (*Store)(nil)

// Store is a storemetrics.Store that runs every call of the store it wraps
// under a deadline. A method added to storemetrics.Store later is passed
// through unbounded by the embedded store until it gets its own bounded
// method here (methods.go): add one with the method.
type Store struct {
	storemetrics.Store
	timeout time.Duration
}

// New wraps next; timeout bounds each call (DefaultTimeout when <= 0).
func New(next storemetrics.Store, timeout time.Duration) *Store {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Store{Store: next, timeout: timeout}
}

// bound returns ctx with the call's deadline.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// PendingCallbacks implements storemetrics.PendingCounter when the wrapped
// store does, so the outbox gauge survives the wrapping; otherwise it
// returns a KindInternal error and the gauge is left out of the scrape.
func (s *Store) PendingCallbacks(ctx context.Context) (int, error) {
	pc, ok := s.Store.(storemetrics.PendingCounter)
	if !ok {
		return 0, gate.Errorf(gate.KindInternal, codeNotSupported, "the store cannot count pending callbacks")
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return pc.PendingCallbacks(ctx)
}

// DueRechecks implements storemetrics.RecheckCounter when the wrapped store
// does, so the recheck backlog gauge survives the wrapping; otherwise it
// returns a KindInternal error and the gauge is left out of the scrape.
func (s *Store) DueRechecks(ctx context.Context, now time.Time) (int, error) {
	rc, ok := s.Store.(storemetrics.RecheckCounter)
	if !ok {
		return 0, gate.Errorf(gate.KindInternal, codeNotSupported, "the store cannot count due rechecks")
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return rc.DueRechecks(ctx, now)
}

// WriterStats implements storemetrics.WriterMeter when the wrapped store
// does, so the writer's counters survive the wrapping; ok is false
// otherwise. It makes no call and needs no deadline.
func (s *Store) WriterStats() (batch.Snapshot, bool) {
	if wm, ok := s.Store.(storemetrics.WriterMeter); ok {
		return wm.WriterStats()
	}
	return batch.Snapshot{}, false
}

// EachDecision implements gate.DecisionReader. A streamed export may run
// for longer than one call's deadline; what is bounded is the store's
// progress: each decision must arrive within the timeout of the previous
// one (or of the start), while the time fn takes does not count.
func (s *Store) EachDecision(ctx context.Context, f gate.DecisionFilter, fn func(gate.Decision) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stalled := time.AfterFunc(s.timeout, func() { cancel(context.DeadlineExceeded) })
	defer stalled.Stop()
	return s.Store.EachDecision(ctx, f, func(d gate.Decision) error {
		if !stalled.Stop() {
			return &gate.Error{Kind: gate.KindUnavailable, Code: gate.CodeStoreUnavailable,
				Message: "the store stalled while streaming decisions", Err: context.Cause(ctx)}
		}
		defer stalled.Reset(s.timeout)
		return fn(d)
	})
}

// Retention bounds each call of a gate.RetentionStore (one batch of the
// erasure) by timeout (DefaultTimeout when <= 0).
func Retention(next gate.RetentionStore, timeout time.Duration) gate.RetentionStore {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return retention{next: next, timeout: timeout}
}

type retention struct {
	next    gate.RetentionStore
	timeout time.Duration
}

// EraseWorkerData implements gate.RetentionStore.
func (r retention) EraseWorkerData(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	return r.next.EraseWorkerData(ctx, cutoff, limit)
}
