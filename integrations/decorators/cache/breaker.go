package cache

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/jkngate/jkngate/gate"
)

// storeRetryAfter is how long the shared breaker is bypassed after its store
// failed, so that a dead Redis costs one timeout per second, not one per call.
const storeRetryAfter = time.Second

// reconnectEvery spaces attempts to rebuild the shared breaker.
const reconnectEvery = 5 * time.Second

// breaker guards one BPJS endpoint. Its state lives in this process, or, with
// a store, in the store shared by all replicas, falling back to the local
// state while the store fails.
//
// gobreaker's DistributedCircuitBreaker.Execute holds the store's lock for the
// whole request. A BPJS call takes up to CallTimeout, so running calls inside
// it would serialize every replica's calls. Instead the shared state is read
// before the call (State) and the outcome recorded after it (an Execute whose
// request merely returns the outcome), holding the lock only for bookkeeping.
type breaker struct {
	local    *gobreaker.TwoStepCircuitBreaker[struct{}]
	store    gobreaker.SharedDataStore
	settings gobreaker.Settings
	gauge    prometheus.Gauge
	storeErr func(error)

	// mu serializes this process's use of the shared breaker: gobreaker reads
	// the shared state before taking the store's lock, so two goroutines of
	// one process would otherwise overwrite each other's counts.
	mu             sync.Mutex
	shared         atomic.Pointer[gobreaker.DistributedCircuitBreaker[struct{}]]
	storeDownUntil atomic.Int64 // Unix nanoseconds
	lastConnect    atomic.Int64 // Unix nanoseconds
	connecting     atomic.Bool
	maxProbes      int32
	probes         atomic.Int32 // half-open probes in flight, shared mode
}

func newBreaker(endpoint string, o Options, gauge prometheus.Gauge, storeErr func(error), log *slog.Logger) *breaker {
	failures, ratio := uint32(o.BreakerFailures), o.BreakerFailureRatio
	st := gobreaker.Settings{
		Name:        "bpjs_" + endpoint,
		MaxRequests: uint32(o.BreakerHalfOpenRequests),
		Interval:    o.BreakerWindow,
		// Six buckets make the window roll instead of resetting at once.
		BucketPeriod: o.BreakerWindow / 6,
		Timeout:      o.BreakerOpenTimeout,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			finished := c.TotalSuccesses + c.TotalFailures
			return c.TotalFailures >= failures && float64(c.TotalFailures) >= ratio*float64(finished)
		},
		OnStateChange: func(name string, from, to gobreaker.State) {
			gauge.Set(stateValue(to))
			log.Warn("BPJS circuit breaker changed state", "breaker", name, "from", from.String(), "to", to.String())
		},
		IsSuccessful: isSuccessful,
		IsExcluded:   isExcluded,
	}
	b := &breaker{
		local:     gobreaker.NewTwoStepCircuitBreaker[struct{}](st),
		store:     o.BreakerStore,
		settings:  st,
		gauge:     gauge,
		storeErr:  storeErr,
		maxProbes: int32(o.BreakerHalfOpenRequests),
	}
	gauge.Set(0)
	if b.store != nil {
		// Joining the shared breaker takes the store's lock, which gobreaker
		// retries for 5s when the store is down: probe first, and join in
		// the background when the store does not answer.
		if _, err := b.store.GetData(st.Name); err != nil {
			b.storeFailed(err)
		} else {
			b.connect()
		}
	}
	return b
}

// isSuccessful counts a definite answer from BPJS as success, including
// "not found" and a rejected (malformed) identifier: BPJS is up.
func isSuccessful(err error) bool {
	if err == nil {
		return true
	}
	k := gate.KindOf(err)
	return k == gate.KindInvalid || k == gate.KindNotFound
}

// isExcluded keeps errors that say nothing about BPJS's health out of the
// counts: cancellation, and an employer source that is not configured.
func isExcluded(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, errNotAttempted) ||
		gate.CodeOf(err) == gate.CodeEmployerSourceDisabled
}

// errNotAttempted reports to the breaker a call it allowed that was then not
// made (the rate limiter refused it).
var errNotAttempted = errors.New("the call was not attempted")

// allow asks whether a call may go ahead. When it may, done must be called
// with the call's error. The error is gobreaker.ErrOpenState or
// gobreaker.ErrTooManyRequests when the call must not be made.
func (b *breaker) allow() (done func(error), err error) {
	if d := b.shared.Load(); d != nil && time.Now().UnixNano() >= b.storeDownUntil.Load() {
		b.mu.Lock()
		st, err := d.State()
		b.mu.Unlock()
		if err == nil {
			return b.allowShared(d, st)
		}
		b.storeFailed(err)
	} else if d == nil {
		b.maybeConnect()
	}
	return b.local.Allow()
}

func (b *breaker) allowShared(d *gobreaker.DistributedCircuitBreaker[struct{}], st gobreaker.State) (func(error), error) {
	b.gauge.Set(stateValue(st))
	switch st {
	case gobreaker.StateOpen:
		return nil, gobreaker.ErrOpenState
	case gobreaker.StateHalfOpen:
		// State does not reserve a probe; this bounds probes per replica.
		if b.probes.Add(1) > b.maxProbes {
			b.probes.Add(-1)
			return nil, gobreaker.ErrTooManyRequests
		}
		return func(err error) { b.record(d, err); b.probes.Add(-1) }, nil
	}
	return func(err error) { b.record(d, err) }, nil
}

// record feeds a finished call's outcome to the shared breaker.
func (b *breaker) record(d *gobreaker.DistributedCircuitBreaker[struct{}], outcome error) {
	b.mu.Lock()
	_, err := d.Execute(func() (struct{}, error) { return struct{}{}, outcome })
	b.mu.Unlock()
	if err == nil || err == outcome ||
		errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return
	}
	b.storeFailed(err)
}

// storeFailed bypasses the shared state for a while and, when the shared
// state is gone (the store was flushed, or could not be read), rebuilds it.
// gobreaker reports an unreadable store as ErrNoSharedState too.
func (b *breaker) storeFailed(err error) {
	b.storeErr(err)
	b.storeDownUntil.Store(time.Now().Add(storeRetryAfter).UnixNano())
	if b.shared.Load() == nil || errors.Is(err, gobreaker.ErrNoSharedState) {
		b.maybeConnect()
	}
}

// maybeConnect starts connect in the background unless the breaker is
// local-only or an attempt was made recently.
func (b *breaker) maybeConnect() {
	if b.store != nil && time.Now().UnixNano()-b.lastConnect.Load() >= int64(reconnectEvery) {
		go b.connect()
	}
}

// connect joins (or re-creates) the shared breaker state; one attempt at a
// time.
func (b *breaker) connect() {
	if !b.connecting.CompareAndSwap(false, true) {
		return
	}
	defer b.connecting.Store(false)
	b.lastConnect.Store(time.Now().UnixNano())
	d, err := gobreaker.NewDistributedCircuitBreaker[struct{}](b.store, b.settings)
	if err != nil {
		b.storeErr(err)
		return
	}
	b.shared.Store(d)
	b.storeDownUntil.Store(0)
}
