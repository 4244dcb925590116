package redis

import (
	"context"
	"errors"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/decorators/cache"
)

var _ cache.Tier = (*Tier)(nil)

// Tier is the cache's shared tier in Redis. Every key it touches starts
// with its prefix, so that deployments (and tests) can share a server.
type Tier struct {
	client goredis.UniversalClient
	prefix string
}

// NewTier returns a Tier storing its keys under prefix (for example
// "jkngate:") in client.
func NewTier(client goredis.UniversalClient, prefix string) *Tier {
	return &Tier{client: client, prefix: prefix}
}

// Get returns the value under key, or ok false and a nil error when there is
// none. Errors are KindUnavailable ("redis_unavailable").
func (t *Tier) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := t.client.Get(ctx, t.prefix+key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, unavailable("GET", err)
	}
	return b, true, nil
}

// Set stores val under key for ttl (which must be positive: Redis keys
// without expiry would keep personal data forever). Errors are
// KindUnavailable ("redis_unavailable"), or KindInvalid for a ttl <= 0.
func (t *Tier) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return gate.Errorf(gate.KindInvalid, codeInvalidTTL, "a cache entry needs a positive ttl, got %v", ttl)
	}
	if err := t.client.Set(ctx, t.prefix+key, val, ttl).Err(); err != nil {
		return unavailable("SET", err)
	}
	return nil
}

// Delete removes the keys; missing keys are not an error. Keys are deleted
// one command each, in one pipeline, so that it works on a cluster where the
// keys live in different slots. Errors are KindUnavailable
// ("redis_unavailable").
func (t *Tier) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	pipe := t.client.Pipeline()
	for _, k := range keys {
		pipe.Del(ctx, t.prefix+k)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return unavailable("DEL", err)
	}
	return nil
}

// Ping reports whether Redis answers, for readiness checks. Errors are
// KindUnavailable ("redis_unavailable").
func (t *Tier) Ping(ctx context.Context) error {
	if err := t.client.Ping(ctx).Err(); err != nil {
		return unavailable("PING", err)
	}
	return nil
}

func unavailable(op string, err error) error {
	return gate.Errorf(gate.KindUnavailable, codeUnavailable, "redis %s: %w", op, err)
}
