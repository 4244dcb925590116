package cache

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// fetched is what a coalesced call hands to every caller waiting on it.
type fetched[V any] struct {
	e   entry[V]
	src gate.Source
}

// lookup answers from the process tier, then the shared tier, then BPJS.
// The process-tier path allocates nothing.
func lookup[V any](ctx context.Context, r *Registry, k *kind[V], key string) (entry[V], gate.Source, error) {
	now := r.opts.Now.Now()
	if e, ok := k.local.Get(key); ok {
		if src, ok := serve(ctx, r, k, key, e, now); ok {
			return e, src, nil
		}
	}
	if r.shared != nil {
		if e, ok := sharedGet(ctx, r, k, key); ok {
			if src, ok := serve(ctx, r, k, key, e, now); ok {
				k.local.Add(key, e)
				return e, src, nil
			}
		}
	}
	return miss(ctx, r, k, key)
}

// serve reports whether e may answer a lookup, and as what; a stale entry
// also starts its background refresh.
func serve[V any](ctx context.Context, r *Registry, k *kind[V], key string, e entry[V], now time.Time) (gate.Source, bool) {
	switch r.freshness(e.FetchedAt, e.Found, now) {
	case fresh:
		k.m.hitFresh.Inc()
		return gate.SourceCache, true
	case stale:
		k.m.hitStale.Inc()
		refresh(ctx, r, k, key)
		return gate.SourceStale, true
	}
	return "", false
}

// miss joins (or starts) the one call for key and waits for it or for ctx,
// whichever comes first. The call goes on when every caller has left, and
// still fills the cache; but if the first caller leaves while the call
// still waits for the rate limiter or an in-flight slot, it is not made.
func miss[V any](ctx context.Context, r *Registry, k *kind[V], key string) (entry[V], gate.Source, error) {
	leader := false // set only by the caller whose function runs
	ch := r.flights.DoChan(flightKey(ctx, k, key), func() (any, error) {
		leader = true
		return fetch(ctx, r, k, key, false)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			k.m.unavailable.Inc()
			return entry[V]{}, "", res.Err
		}
		if leader {
			k.m.miss.Inc()
		} else {
			k.m.coalesced.Inc()
		}
		f := res.Val.(fetched[V])
		return f.e, f.src, nil
	case <-ctx.Done():
		k.m.unavailable.Inc()
		return entry[V]{}, "", gate.Errorf(gate.KindUnavailable, gate.CodeBPJSLookupAbandoned,
			"the lookup ended before BPJS answered: %w", ctx.Err())
	}
}

// flightKey is the coalescing key of a lookup. Background lookups coalesce
// among themselves only: a webhook must not wait on a call that waits for
// the rate limit's headroom. A live and a background lookup of one key at
// once may thus make two calls.
func flightKey[V any](ctx context.Context, k *kind[V], key string) string {
	if gate.IsBackground(ctx) {
		return "background:" + k.prefix + key
	}
	return k.prefix + key
}

// refresh starts the background refresh of key unless one is under way.
func refresh[V any](ctx context.Context, r *Registry, k *kind[V], key string) {
	if _, busy := k.refreshing.LoadOrStore(key, struct{}{}); busy {
		return
	}
	detached := context.WithoutCancel(ctx)
	r.bg.Add(1)
	go func() {
		defer r.bg.Done()
		defer k.refreshing.Delete(key)
		<-r.flights.DoChan(flightKey(ctx, k, key), func() (any, error) {
			return fetch(detached, r, k, key, true)
		})
	}()
}

// fetch makes the call to BPJS for key on behalf of everyone waiting for it.
// ctx is the first caller's: its values are kept, and its deadline and
// cancellation bound only the waits for the rate limiter and an in-flight
// slot, never the call itself. checkShared first looks for an
// entry another replica has refreshed.
func fetch[V any](ctx context.Context, r *Registry, k *kind[V], key string, checkShared bool) (fetched[V], error) {
	detached := context.WithoutCancel(ctx)
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(r.opts.CallTimeout)
	}
	epoch := r.epoch.Load()
	// A caller that missed the process tier may reach DoChan just after the
	// previous call for the key finished and left singleflight: look again,
	// so that it does not call BPJS a second time.
	if !checkShared {
		if e, ok := k.local.Get(key); ok && r.freshness(e.FetchedAt, e.Found, r.opts.Now.Now()) == fresh {
			return fetched[V]{e, gate.SourceCache}, nil
		}
	}
	if checkShared && r.shared != nil {
		if e, ok := sharedGet(detached, r, k, key); ok && r.freshness(e.FetchedAt, e.Found, r.opts.Now.Now()) == fresh {
			k.local.Add(key, e)
			return fetched[V]{e, gate.SourceCache}, nil
		}
	}

	// The breaker first: while it is open a lookup fails at once, without
	// queueing for the rate limiter behind calls that will not be made.
	done, err := k.breaker.allow()
	if err != nil {
		r.metrics.bpjsCalls.WithLabelValues(k.name, outcomeCircuitOpen).Inc()
		return fetched[V]{}, gate.Errorf(gate.KindUnavailable, gate.CodeBPJSCircuitOpen,
			"BPJS %s lookups are paused after repeated failures: %w", k.name, err)
	}
	background := gate.IsBackground(ctx)
	if err := r.limit.acquire(ctx, deadline, background); err != nil {
		done(errNotAttempted) // says nothing of BPJS's health
		r.countRefused(k.name, err)
		return fetched[V]{}, err
	}
	cctx, cancel := context.WithTimeout(detached, r.opts.CallTimeout)
	start := time.Now()
	v, found, asOf, err := safeCall(r, k, cctx, key)
	timedOut := errors.Is(cctx.Err(), context.DeadlineExceeded)
	cancel()
	done(err)
	r.limit.release(background)
	k.duration.Observe(time.Since(start).Seconds())

	if err != nil {
		outcome := outcomeError
		if timedOut {
			outcome = outcomeTimeout
		}
		r.metrics.bpjsCalls.WithLabelValues(k.name, outcome).Inc()
		return fetched[V]{}, r.callError(err, timedOut)
	}
	outcome := outcomeFound
	if !found {
		outcome = outcomeNotFound
		var zero V
		v = zero
	}
	r.metrics.bpjsCalls.WithLabelValues(k.name, outcome).Inc()
	if asOf.IsZero() {
		asOf = r.opts.Now.Now()
	}
	e := entry[V]{FetchedAt: asOf.Round(0).UTC(), Found: found, Value: v}
	if r.epoch.Load() == epoch {
		store(detached, r, k, key, e)
	}
	return fetched[V]{e, gate.SourceLive}, nil
}

// safeCall turns a panic of the inner Registry into an error: the call runs
// on a goroutine of singleflight's, out of reach of any recover middleware,
// so a panic there would end the process.
func safeCall[V any](r *Registry, k *kind[V], ctx context.Context, key string) (v V, found bool, asOf time.Time, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("inner registry panicked", "kind", k.name, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("inner registry panicked: %v", p)
		}
	}()
	return k.call(ctx, key)
}

// countRefused counts a call the limiter refused.
func (r *Registry) countRefused(endpoint string, err error) {
	outcome := outcomeRateLimited
	if gate.CodeOf(err) == gate.CodeBPJSBusy {
		outcome = outcomeBusy
	}
	r.metrics.bpjsCalls.WithLabelValues(endpoint, outcome).Inc()
}

// callError makes sure that a failed call reads as KindUnavailable, unless
// the inner Registry classified it otherwise (an invalid identifier, or
// gate.CodeEmployerSourceDisabled), keeping the inner code when it has one.
func (r *Registry) callError(err error, timedOut bool) error {
	var ge *gate.Error
	if errors.As(err, &ge) && ge.Kind != gate.KindInternal {
		return err
	}
	if timedOut {
		return gate.Errorf(gate.KindUnavailable, gate.CodeBPJSTimeout,
			"BPJS did not answer within %v: %w", r.opts.CallTimeout, err)
	}
	return gate.Errorf(gate.KindUnavailable, gate.CodeBPJSUnavailable, "the BPJS lookup failed: %w", err)
}

// store puts an answer in both tiers. The shared tier keeps positive answers
// up to MaxDataAge so that they can be served stale, negative ones only as
// long as they are fresh.
func store[V any](ctx context.Context, r *Registry, k *kind[V], key string, e entry[V]) {
	k.local.Add(key, e)
	if r.shared == nil {
		return
	}
	ttl := r.opts.MaxDataAge
	if !e.Found {
		ttl = r.opts.Negative
	}
	if ttl -= r.opts.Now.Now().Sub(e.FetchedAt); ttl <= 0 {
		return
	}
	name := r.opts.Keys.Name(k.name, key)
	r.tierSet(ctx, name, r.opts.Keys.seal(name, k.encode(e)), ttl)
}

// sharedGet reads, opens and decodes key from the shared tier, under its
// name for the current key and then for each previous one. A value of
// another format version or sealed with a key this replica does not hold is
// a silent miss (a rolling deploy, a key rotation); a malformed or tampered
// one is a counted miss.
func sharedGet[V any](ctx context.Context, r *Registry, k *kind[V], key string) (entry[V], bool) {
	for _, name := range r.opts.Keys.names(k.name, key) {
		b, ok := r.tierGet(ctx, name)
		if !ok {
			continue
		}
		plain, err := r.opts.Keys.open(name, b)
		var e entry[V]
		if err == nil {
			e, err = k.decode(plain)
		}
		if err != nil {
			if !errors.Is(err, errUnknownVersion) && !errors.Is(err, errUnknownKey) {
				r.tierFailed(ctx, opDecode, err)
			}
			return entry[V]{}, false
		}
		return e, true
	}
	return entry[V]{}, false
}
