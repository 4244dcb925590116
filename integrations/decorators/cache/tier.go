package cache

import (
	"context"
	"errors"
	"time"
)

// Tier is a cache tier shared between replicas, such as Redis. Values are
// opaque to it. Implementations must be safe for concurrent use.
//
// The Registry never lets a Tier's error reach a caller: it counts the error
// in jkngate_redis_errors_total, logs it (rate-limited) and goes on without
// the tier.
type Tier interface {
	// Get returns the value under key; ok is false, with a nil error, when
	// there is none.
	Get(ctx context.Context, key string) (val []byte, ok bool, err error)
	// Set stores val under key for ttl.
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// Delete removes the keys; missing keys are not an error.
	Delete(ctx context.Context, keys ...string) error
}

// tierGet reads key from the shared tier. Any failure is a miss.
func (r *Registry) tierGet(ctx context.Context, key string) ([]byte, bool) {
	tctx, cancel := context.WithTimeout(ctx, r.opts.TierTimeout)
	defer cancel()
	val, ok, err := r.shared.Get(tctx, key)
	if err != nil {
		r.tierFailed(ctx, opGet, err)
		return nil, false
	}
	return val, ok
}

// tierSet writes key to the shared tier; a failure only costs other
// replicas a BPJS call.
func (r *Registry) tierSet(ctx context.Context, key string, val []byte, ttl time.Duration) {
	tctx, cancel := context.WithTimeout(ctx, r.opts.TierTimeout)
	defer cancel()
	if err := r.shared.Set(tctx, key, val, ttl); err != nil {
		r.tierFailed(ctx, opSet, err)
	}
}

// tierFailed counts and logs a shared-tier error, unless the caller's own
// context ended first: that is the caller giving up, not the tier failing.
func (r *Registry) tierFailed(ctx context.Context, op string, err error) {
	if ctx.Err() != nil {
		return
	}
	r.metrics.redisErrors.WithLabelValues(op).Inc()
	// Rate-limited: a dead Redis would otherwise log once per lookup.
	r.logEvery.Do(func() {
		r.log.Warn("shared cache tier failed; carrying on without it",
			"op", op, "err", err, "timeout", errors.Is(err, context.DeadlineExceeded))
	})
}
