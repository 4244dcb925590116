// Package redis holds jkngate's Redis adapters: a shared cache tier
// (cache.Tier) and a shared circuit-breaker store (gobreaker's
// SharedDataStore), both over go-redis.
//
// Redis is an optimisation here, never a dependency of a lookup: every
// operation is short-timed, and the cache carries on without Redis when it
// fails. go-redis reconnects by itself when Redis comes back.
package redis

import (
	"errors"
	"net/url"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/jkngate/jkngate/gate"
)

// DefaultTimeout is the dial, read, write and pool timeout NewClient sets
// when the URL sets none: short, so that a dead Redis costs a lookup little.
const DefaultTimeout = 200 * time.Millisecond

// NewClient returns a go-redis client for rawURL:
//
//   - redis://, rediss:// or unix://: one server (redis.ParseURL);
//   - redis+cluster:// or rediss+cluster://: a cluster, more nodes given as
//     addr query parameters (redis.ParseClusterURL);
//   - redis+sentinel:// or rediss+sentinel://: Sentinel failover, with the
//     master_name query parameter and more sentinels as addr parameters
//     (redis.ParseFailoverURL).
//
// Timeouts the URL leaves unset become DefaultTimeout, and deadlines of the
// contexts passed to commands are honoured. It connects lazily: an
// unreachable server is not an error here (see Tier.Ping). It returns a
// KindInvalid error ("invalid_redis_url") for a URL it cannot use; the error
// never contains the URL, which may hold a password.
func NewClient(rawURL string) (goredis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, invalidURL("it does not parse as a URL", nil)
	}
	scheme, topology, _ := strings.Cut(u.Scheme, "+")
	plain := scheme + strings.TrimPrefix(rawURL, u.Scheme)
	switch topology {
	case "":
		o, err := goredis.ParseURL(rawURL)
		if err != nil {
			return nil, invalidURL("", err)
		}
		shorten(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.DialerRetries)
		o.ContextTimeoutEnabled = true
		return goredis.NewClient(o), nil
	case "cluster":
		o, err := goredis.ParseClusterURL(plain)
		if err != nil {
			return nil, invalidURL("", err)
		}
		shorten(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.DialerRetries)
		o.ContextTimeoutEnabled = true
		return goredis.NewClusterClient(o), nil
	case "sentinel":
		o, err := goredis.ParseFailoverURL(plain)
		if err != nil {
			return nil, invalidURL("", err)
		}
		if o.MasterName == "" {
			return nil, invalidURL("a sentinel URL needs the master_name query parameter", nil)
		}
		shorten(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.DialerRetries)
		o.ContextTimeoutEnabled = true
		return goredis.NewFailoverClient(o), nil
	}
	return nil, invalidURL("unknown scheme "+u.Scheme, nil)
}

// shorten sets unset timeouts to DefaultTimeout, allows one command retry,
// which covers a pooled connection that died with a Redis restart, and one
// dial attempt per command instead of go-redis's five, 100ms apart: a dead
// Redis must fail a command fast, and the pool redials in the background.
func shorten(dial, read, write, pool *time.Duration, retries, dialRetries *int) {
	for _, d := range []*time.Duration{dial, read, write, pool} {
		if *d == 0 {
			*d = DefaultTimeout
		}
	}
	if *retries == 0 {
		*retries = 1
	}
	if *dialRetries == 0 {
		*dialRetries = 1
	}
}

func invalidURL(why string, cause error) error {
	var ue *url.Error
	if errors.As(cause, &ue) {
		cause = nil // its message repeats the URL
	}
	if cause != nil {
		return gate.Errorf(gate.KindInvalid, codeInvalidURL, "the Redis URL is unusable: %w", cause)
	}
	return gate.Errorf(gate.KindInvalid, codeInvalidURL, "the Redis URL is unusable: %s", why)
}
