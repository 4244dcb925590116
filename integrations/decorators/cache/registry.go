// Package cache is a resilient gate.Registry: it wraps another Registry (the
// plain BPJS client) with a two-tier cache, request coalescing, a circuit
// breaker, and rate and concurrency limits toward BPJS.
//
// Lookups go to the process tier, then the shared tier (Redis), then BPJS.
// Answers, including "not registered", are cached; errors never are. Fresh
// data is served as gate.SourceCache. Positive data past Options.Fresh but
// within Options.MaxDataAge is served at once as gate.SourceStale while one
// background call per key refreshes it; because a failed refresh leaves the
// entry in place, stale data also covers BPJS outages (stale-if-error).
// Data older than MaxDataAge is never used: the lookup then needs BPJS, and
// fails with gate.KindUnavailable when BPJS cannot answer.
package cache

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"github.com/jkngate/jkngate/gate"
)

var _ gate.Registry = (*Registry)(nil)

// Registry is a caching, circuit-breaking gate.Registry. It is safe for
// concurrent use. Create it with New.
type Registry struct {
	inner    gate.Registry
	opts     Options
	shared   Tier
	limit    *limiter
	metrics  *metrics
	log      *slog.Logger
	logEvery rate.Sometimes
	flights  singleflight.Group
	bg       sync.WaitGroup // background refreshes, for tests
	// epoch counts invalidations: a call that started before one does not
	// store its (possibly outdated) answer.
	epoch atomic.Uint64

	employers    *kind[gate.Employer]
	participants *kind[participantFacts]
}

// kind is what differs between employer and participant lookups.
type kind[V any] struct {
	name       string // label value, breaker name and shared-tier name prefix
	prefix     string // coalescing key prefix
	local      *lru.Cache[string, entry[V]]
	call       func(ctx context.Context, key string) (V, bool, time.Time, error)
	encode     func(entry[V]) []byte
	decode     func([]byte) (entry[V], error)
	breaker    *breaker
	m          kindMetrics
	duration   prometheus.Observer
	refreshing sync.Map // keys with a background refresh under way
}

// New wraps inner. It returns a KindInvalid error ("invalid_cache_options")
// when inner is nil or an option makes no sense, and the registration error
// when Options.Metrics rejects a collector. An unreachable shared tier or
// breaker store is not an error: the Registry works without them until they
// come back.
func New(inner gate.Registry, opts Options) (*Registry, error) {
	if inner == nil {
		return nil, gate.Errorf(gate.KindInvalid, codeInvalidOptions, "inner registry is nil")
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(o.Metrics)
	if err != nil {
		return nil, err
	}
	r := &Registry{
		inner: inner, opts: o, shared: o.Shared, limit: newLimiter(o), metrics: m, log: o.Logger,
		logEvery: rate.Sometimes{Interval: 10 * time.Second},
	}
	r.employers = newKind(r, "employer", encodeEmployer, decodeEmployer,
		func(ctx context.Context, nib string) (gate.Employer, bool, time.Time, error) {
			l, err := inner.Employer(ctx, nib)
			return l.Employer, l.Found, l.Fetch.AsOf, err
		})
	r.participants = newKind(r, "participant", encodeParticipant, decodeParticipant,
		func(ctx context.Context, nik string) (participantFacts, bool, time.Time, error) {
			l, err := inner.Participant(ctx, nik)
			return factsOf(l.Participant), l.Found, l.Fetch.AsOf, err
		})
	return r, nil
}

func newKind[V any](r *Registry, name string, enc func(entry[V]) []byte, dec func([]byte) (entry[V], error),
	call func(context.Context, string) (V, bool, time.Time, error)) *kind[V] {
	local, _ := lru.New[string, entry[V]](r.opts.LocalSize) // size validated in withDefaults
	gauge := r.metrics.breakerState.WithLabelValues(name)
	storeErr := func(err error) { r.tierFailed(context.Background(), opBreaker, err) }
	return &kind[V]{
		name: name, prefix: name + ":", local: local, call: call, encode: enc, decode: dec,
		breaker:  newBreaker(name, r.opts, gauge, storeErr, r.log),
		m:        r.metrics.forKind(name),
		duration: r.metrics.bpjsDuration.WithLabelValues(name),
	}
}

// Employer looks an employer up by NIB; see the package doc for where the
// answer comes from. Errors are those of the inner Registry (passed through
// with their kind and code, e.g. gate.CodeEmployerSourceDisabled) or
// KindUnavailable with code "bpjs_circuit_open", "bpjs_rate_limited",
// "bpjs_busy", "bpjs_timeout", "bpjs_unavailable" or, when ctx ends first,
// "bpjs_lookup_abandoned". A usable cached answer is never replaced by an
// error.
func (r *Registry) Employer(ctx context.Context, nib string) (gate.EmployerLookup, error) {
	e, src, err := lookup(ctx, r, r.employers, nib)
	if err != nil {
		return gate.EmployerLookup{}, err
	}
	return gate.EmployerLookup{Found: e.Found, Employer: e.Value, Fetch: gate.Fetch{Source: src, AsOf: e.FetchedAt}}, nil
}

// Participant looks a participant up by NIK, like Employer, with the same
// errors. The answer carries the NIK, status and segment (with their texts)
// only: card number, name and birth date are dropped at once, from live
// answers too, so that a cached and a live answer look alike.
func (r *Registry) Participant(ctx context.Context, nik string) (gate.ParticipantLookup, error) {
	e, src, err := lookup(ctx, r, r.participants, nik)
	if err != nil {
		return gate.ParticipantLookup{}, err
	}
	return gate.ParticipantLookup{Found: e.Found, Participant: e.Value.participant(nik),
		Fetch: gate.Fetch{Source: src, AsOf: e.FetchedAt}}, nil
}

// InvalidateEmployer drops the cached employer under nib and the cached
// participants under niks from both tiers, so that the next lookups go to
// BPJS. Calls to BPJS already under way in this process still answer their
// callers but no longer fill the cache. It returns a KindUnavailable error
// ("cache_invalidation_failed") when the shared tier could not drop the
// keys: other replicas may then serve the old data until it goes stale.
func (r *Registry) InvalidateEmployer(ctx context.Context, nib string, niks ...string) error {
	r.epoch.Add(1)
	r.employers.local.Remove(nib)
	r.flights.Forget(r.employers.prefix + nib)
	r.flights.Forget("background:" + r.employers.prefix + nib)
	for _, nik := range niks {
		r.participants.local.Remove(nik)
		r.flights.Forget(r.participants.prefix + nik)
		r.flights.Forget("background:" + r.participants.prefix + nik)
	}
	if r.shared == nil {
		return nil
	}
	// Under every key: an entry sealed before a rotation is still read.
	keys := r.opts.Keys.names(r.employers.name, nib)
	for _, nik := range niks {
		keys = append(keys, r.opts.Keys.names(r.participants.name, nik)...)
	}
	tctx, cancel := context.WithTimeout(ctx, r.opts.TierTimeout)
	defer cancel()
	if err := r.shared.Delete(tctx, keys...); err != nil {
		r.tierFailed(ctx, opDelete, err)
		return gate.Errorf(gate.KindUnavailable, codeInvalidationFailed,
			"the shared cache could not drop the employer's entries: %w", err)
	}
	return nil
}

type freshness int

const (
	expired freshness = iota
	fresh
	stale
)

// freshness ages an entry. Negative answers expire after Negative and are
// never stale: an old "not registered" must not deny a business that has
// registered since.
func (r *Registry) freshness(fetchedAt time.Time, found bool, now time.Time) freshness {
	age := now.Sub(fetchedAt)
	switch {
	case !found && age < r.opts.Negative:
		return fresh
	case !found:
		return expired
	case age < r.opts.Fresh:
		return fresh
	case age < r.opts.MaxDataAge:
		return stale
	}
	return expired
}

// wait blocks until background refreshes have finished; tests use it.
func (r *Registry) wait() { r.bg.Wait() }

// Close waits for background refreshes to finish (each is bounded by
// CallTimeout), so that a shutdown does not cut a BPJS call short.
func (r *Registry) Close() { r.bg.Wait() }
