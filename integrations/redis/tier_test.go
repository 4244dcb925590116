package redis_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/decorators/cache"
	jredis "github.com/jkngate/jkngate/integrations/redis"
)

func TestTierGetSetDelete(t *testing.T) {
	client, prefix := testRedis(t)
	tier := jredis.NewTier(client, prefix)
	ctx := context.Background()

	if _, ok, err := tier.Get(ctx, "absent"); ok || err != nil {
		t.Fatalf("Get(absent) = ok %v, err %v; want a clean miss", ok, err)
	}
	val := []byte{1, 2, 3, 0, 255}
	if err := tier.Set(ctx, "k1", val, time.Minute); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := tier.Set(ctx, "k2", val, time.Minute); err != nil {
		t.Fatalf("Set: %v", err)
	}
	got, ok, err := tier.Get(ctx, "k1")
	if err != nil || !ok || !bytes.Equal(got, val) {
		t.Fatalf("Get(k1) = %v, %v, %v; want %v", got, ok, err, val)
	}
	if ttl := client.PTTL(ctx, prefix+"k1").Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("TTL = %v, want within a minute", ttl)
	}
	if err := tier.Set(ctx, "k3", val, 0); gate.KindOf(err) != gate.KindInvalid {
		t.Fatalf("Set without ttl: err = %v, want KindInvalid", err)
	}
	if err := tier.Delete(ctx, "k1", "k2", "never-set"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	for _, k := range []string{"k1", "k2"} {
		if _, ok, _ := tier.Get(ctx, k); ok {
			t.Errorf("%s survived Delete", k)
		}
	}
	if err := tier.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func TestRedisHitFillsProcessTierAndIsShared(t *testing.T) {
	client, prefix := testRedis(t)
	ctx := context.Background()
	innerA, innerB := &countingInner{}, &countingInner{}
	a, _ := newRegistry(t, innerA, cache.Options{Shared: jredis.NewTier(client, prefix)})
	b, _ := newRegistry(t, innerB, cache.Options{Shared: jredis.NewTier(client, prefix)})

	live, err := a.Employer(ctx, testNIB)
	if err != nil || live.Fetch.Source != gate.SourceLive {
		t.Fatalf("first instance: %+v, %v; want live", live, err)
	}
	got, err := b.Employer(ctx, testNIB)
	if err != nil || got.Fetch.Source != gate.SourceCache || got.Employer != live.Employer || !got.Fetch.AsOf.Equal(live.Fetch.AsOf) {
		t.Fatalf("second instance: %+v, %v; want the first instance's answer from the shared tier", got, err)
	}
	if n := innerB.employerCalls.Load(); n != 0 {
		t.Fatalf("second instance called BPJS %d times, want 0", n)
	}

	// The hit filled the second instance's process tier: it answers with
	// the shared entry gone.
	if err := client.Del(ctx, prefix+testKeys.Name("employer", testNIB)).Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Employer(ctx, testNIB); err != nil || got.Fetch.Source != gate.SourceCache || innerB.employerCalls.Load() != 0 {
		t.Fatalf("after dropping the shared entry: %+v, %v, %d calls; want a process-tier hit", got, err, innerB.employerCalls.Load())
	}
}

func TestUnknownVersionInRedisIsAMiss(t *testing.T) {
	client, prefix := testRedis(t)
	ctx := context.Background()
	if err := client.Set(ctx, prefix+testKeys.Name("participant", testNIK), []byte{0x7f, 'n', 'e', 'w'}, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	inner := &countingInner{}
	r, reg := newRegistry(t, inner, cache.Options{Shared: jredis.NewTier(client, prefix)})
	got, err := r.Participant(ctx, testNIK)
	if err != nil || got.Fetch.Source != gate.SourceLive || inner.participantCalls.Load() != 1 {
		t.Fatalf("lookup: %+v, %v; want a live answer", got, err)
	}
	if v := counter(t, reg, "jkngate_redis_errors_total", "op", "decode"); v != 0 {
		t.Fatalf("an unknown version counted as an error (%v)", v)
	}
}

func TestRedisDownLookupsStillSucceed(t *testing.T) {
	tests := []struct {
		name string
		// client returns the client the cache uses and a function that
		// breaks it after the first lookup.
		client func(t *testing.T) (goredis.UniversalClient, func())
	}{
		{"nothing listens", func(t *testing.T) (goredis.UniversalClient, func()) {
			c, err := jredis.NewClient("redis://127.0.0.1:1/0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = c.Close() })
			return c, func() {}
		}},
		{"client closed mid-test", func(t *testing.T) (goredis.UniversalClient, func()) {
			c, _ := testRedis(t)
			return c, func() {
				if err := c.Close(); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, prefix := testRedis(t)
			c, breakRedis := tt.client(t)
			inner := &countingInner{}
			r, reg := newRegistry(t, inner, cache.Options{
				Shared: jredis.NewTier(c, prefix), BreakerStore: jredis.NewBreakerStore(c, prefix)})
			ctx := context.Background()
			if _, err := r.Employer(ctx, testNIB); err != nil {
				t.Fatalf("first lookup: %v", err)
			}
			breakRedis()
			for i := range 2 {
				got, err := r.Participant(ctx, testNIK)
				if err != nil || !got.Found {
					t.Fatalf("lookup %d: %+v, %v; want an answer despite Redis", i, got, err)
				}
			}
			if n := inner.participantCalls.Load(); n != 1 {
				t.Fatalf("inner calls = %d, want 1: the process tier still caches", n)
			}
			if err := r.InvalidateEmployer(ctx, testNIB, testNIK); !errors.Is(err, gate.ErrUnavailable) {
				t.Fatalf("InvalidateEmployer = %v, want KindUnavailable: other replicas were not told", err)
			}
			for _, op := range []string{"get", "set", "delete"} {
				if v := counter(t, reg, "jkngate_redis_errors_total", "op", op); v < 1 {
					t.Errorf("redis errors for %s = %v, want at least 1", op, v)
				}
			}
		})
	}
}
