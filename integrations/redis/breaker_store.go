package redis

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

var _ gobreaker.SharedDataStore = (*BreakerStore)(nil)

// ErrLockBusy is returned by BreakerStore.Lock when another holder kept the
// lock through every attempt.
var ErrLockBusy = errors.New("redis: breaker lock is held elsewhere")

// ErrLockLost is returned by BreakerStore.Unlock when the lock had expired
// (and may have been taken by someone else) before it was released.
var ErrLockLost = errors.New("redis: breaker lock expired before unlock")

const (
	// lockTTL bounds how long a crashed holder blocks the others. jkngate
	// holds the lock only to update the breaker's counts, never during a
	// call to BPJS.
	lockTTL      = 2 * time.Second
	lockAttempts = 20
	lockBackoff  = 2 * time.Millisecond // doubled per attempt, capped at 20ms
	// storeTimeout bounds each store operation: SharedDataStore methods take
	// no context.
	storeTimeout = time.Second
	// stateTTL lets the state of a breaker nobody uses disappear; gobreaker
	// callers re-create missing state (cache.Registry does).
	stateTTL = 24 * time.Hour
)

// unlockScript deletes the lock only if it still holds our token, so that a
// holder whose lock expired cannot release someone else's.
var unlockScript = goredis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

// BreakerStore keeps gobreaker's DistributedCircuitBreaker state in Redis so
// that all replicas share one breaker per endpoint. It is safe for
// concurrent use.
//
// Lock is a Redis lock (SET NX PX with a random token, released by a
// compare-and-delete script) behind a per-name lock in this process, so that
// goroutines of one replica queue locally instead of polling Redis, and a
// token is only ever released by its holder.
type BreakerStore struct {
	client goredis.UniversalClient
	prefix string

	mu     sync.Mutex
	local  map[string]chan struct{} // per-name local lock, a 1-slot semaphore
	tokens map[string]string        // token of the Redis lock this process holds
}

// NewBreakerStore returns a store keeping its keys under prefix (for example
// "jkngate:") in client.
func NewBreakerStore(client goredis.UniversalClient, prefix string) *BreakerStore {
	return &BreakerStore{client: client, prefix: prefix,
		local: map[string]chan struct{}{}, tokens: map[string]string{}}
}

func (s *BreakerStore) localLock(name string) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.local[name]
	if !ok {
		c = make(chan struct{}, 1)
		s.local[name] = c
	}
	return c
}

// Lock takes the lock called name, trying Redis a bounded number of times
// over about a third of a second. It returns ErrLockBusy when the lock stayed
// taken, or the Redis error at once when Redis fails (gobreaker retries).
func (s *BreakerStore) Lock(name string) error {
	sem := s.localLock(name)
	t := time.NewTimer(lockTTL)
	defer t.Stop()
	select {
	case sem <- struct{}{}:
	case <-t.C:
		return ErrLockBusy
	}
	token := rand.Text()
	backoff := lockBackoff
	for range lockAttempts {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		ok, err := s.client.SetNX(ctx, s.prefix+name, token, lockTTL).Result()
		cancel()
		if err != nil {
			<-sem
			return err
		}
		if ok {
			s.mu.Lock()
			s.tokens[name] = token
			s.mu.Unlock()
			return nil
		}
		time.Sleep(backoff)
		backoff = min(2*backoff, 20*time.Millisecond)
	}
	<-sem
	return ErrLockBusy
}

// Unlock releases the lock called name taken by Lock. It returns ErrLockLost
// when the lock had expired meanwhile, or the Redis error; the local lock is
// released in every case.
func (s *BreakerStore) Unlock(name string) error {
	s.mu.Lock()
	token, held := s.tokens[name]
	delete(s.tokens, name)
	sem := s.local[name]
	s.mu.Unlock()
	if !held {
		return ErrLockLost
	}
	defer func() { <-sem }()
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	n, err := unlockScript.Run(ctx, s.client, []string{s.prefix + name}, token).Int()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLockLost
	}
	return nil
}

// GetData returns the data stored under name, or nil and a nil error when
// there is none. It returns the Redis error otherwise.
func (s *BreakerStore) GetData(name string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	b, err := s.client.Get(ctx, s.prefix+name).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	return b, err
}

// SetData stores data under name. It returns the Redis error.
func (s *BreakerStore) SetData(name string, data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	return s.client.Set(ctx, s.prefix+name, data, stateTTL).Err()
}
