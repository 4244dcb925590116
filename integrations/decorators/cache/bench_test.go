package cache

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// BenchmarkLocalHit measures a fresh process-tier hit: the path of nearly
// every lookup. It should stay well under a microsecond with 0 allocs/op.
func BenchmarkLocalHit(b *testing.B) {
	r, _ := newTestRegistry(b, &fakeInner{}, nil, Options{})
	ctx := context.Background()
	if _, err := r.Participant(ctx, testNIK); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Participant(ctx, testNIK); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLocalHitParallel is BenchmarkLocalHit from all CPUs at once, to
// show the cost of the LRU's lock under contention.
func BenchmarkLocalHitParallel(b *testing.B) {
	r, _ := newTestRegistry(b, &fakeInner{}, nil, Options{})
	ctx := context.Background()
	if _, err := r.Participant(ctx, testNIK); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Participant(ctx, testNIK); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCoalescedMiss measures one cold key looked up by 32 goroutines at
// once against an instant inner registry: the miss path (limiter, breaker,
// coalescing, cache fill) plus the wake-up of the waiters. bpjs_calls/op
// reports how well the lookups coalesced.
func BenchmarkCoalescedMiss(b *testing.B) {
	const callers = 32
	inner := &fakeInner{}
	r, _ := newTestRegistry(b, inner, nil, Options{Rate: 1e9, Burst: 1 << 30, MaxInFlight: 1 << 20})
	ctx := context.Background()
	niks := make([]string, 0, 1<<16)
	for i := range cap(niks) {
		niks = append(niks, fmt.Sprintf("1275014101%06d", i))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		nik := niks[i%len(niks)]
		if i%len(niks) == len(niks)-1 {
			b.StopTimer()
			r.participants.local.Purge()
			b.StartTimer()
		}
		i++
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				if _, err := r.Participant(ctx, nik); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
	b.ReportMetric(float64(inner.participantCalls.Load())/float64(i), "bpjs_calls/op")
}
