package redis_test

import (
	"context"
	"testing"

	"github.com/jkngate/jkngate/integrations/decorators/cache"
	jredis "github.com/jkngate/jkngate/integrations/redis"
)

// BenchmarkRedisHit measures a lookup answered by the shared tier: a
// process-tier miss, one GET round trip, decoding and the process-tier
// fill. A one-entry process tier and two alternating keys make every lookup
// miss the process tier.
func BenchmarkRedisHit(b *testing.B) {
	client, prefix := testRedis(b)
	inner := &countingInner{}
	writer, _ := newRegistry(b, inner, cache.Options{Shared: jredis.NewTier(client, prefix)})
	niks := [2]string{"1275014101900001", "1275014101900002"}
	ctx := context.Background()
	for _, nik := range niks {
		if _, err := writer.Participant(ctx, nik); err != nil {
			b.Fatal(err)
		}
	}
	r, _ := newRegistry(b, inner, cache.Options{Shared: jredis.NewTier(client, prefix), LocalSize: 1})
	calls := inner.participantCalls.Load()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := r.Participant(ctx, niks[i&1]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if n := inner.participantCalls.Load(); n != calls {
		b.Fatalf("%d BPJS calls during the benchmark: not every lookup was a Redis hit", n-calls)
	}
}
