package cache

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// The limiter's waits run on runtime timers: inside a synctest bubble they
// take fake time, so these tests wait seconds without taking any.

func TestLimiterWaitsForTheNextToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(Options{Rate: 1, Burst: 1, MaxInFlight: 2})
		start := time.Now()
		if err := l.acquire(context.Background(), start.Add(10*time.Second), false); err != nil {
			t.Fatalf("first acquire (the burst): %v", err)
		}
		if err := l.acquire(context.Background(), start.Add(10*time.Second), false); err != nil {
			t.Fatalf("second acquire: %v", err)
		}
		if waited := time.Since(start); waited != time.Second {
			t.Fatalf("second acquire waited %v, want 1s (one token at 1/s)", waited)
		}
	})
}

func TestLimiterTokenWaitEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(Options{Rate: 0.1, Burst: 1, MaxInFlight: 2}) // next token in 10 s
		start := time.Now()
		if err := l.acquire(context.Background(), start.Add(time.Minute), false); err != nil {
			t.Fatalf("first acquire (the burst): %v", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- l.acquire(ctx, start.Add(time.Minute), false) }()
		synctest.Wait() // the second acquire is waiting for its token
		cancel()
		err := <-errc
		wantCode(t, err, gate.KindUnavailable, "bpjs_rate_limited")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want it to wrap context.Canceled", err)
		}
		if waited := time.Since(start); waited != 0 {
			t.Fatalf("the abandoned acquire returned after %v, want at once", waited)
		}
		// The token it had reserved went back: 10 s on, the bucket is full
		// again, as if the abandoned acquire had never asked.
		if got := l.rate.TokensAt(start.Add(10 * time.Second)); got != 1 {
			t.Fatalf("tokens 10 s on = %v, want 1: the abandoned reservation was kept", got)
		}
	})
}

func TestLimiterHeadroomWaitEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(Options{Rate: 0.1, Burst: 4, MaxInFlight: 4})
		start := time.Now()
		bg := context.Background()
		for i := range 3 { // down to the live reserve
			if err := l.acquire(bg, start.Add(time.Hour), true); err != nil {
				t.Fatalf("background acquire %d: %v", i, err)
			}
			l.release(true)
		}
		ctx, cancel := context.WithCancel(bg)
		errc := make(chan error, 1)
		go func() { errc <- l.acquire(ctx, start.Add(time.Hour), true) }()
		synctest.Wait()
		cancel()
		err := <-errc
		wantCode(t, err, gate.KindUnavailable, "bpjs_rate_limited")
		if !errors.Is(err, context.Canceled) || time.Since(start) != 0 {
			t.Fatalf("err = %v after %v, want context.Canceled at once", err, time.Since(start))
		}
	})
}

func TestLimiterSlotWaitEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(Options{Rate: 100, Burst: 100, MaxInFlight: 1})
		start := time.Now()
		if err := l.acquire(context.Background(), start.Add(time.Minute), false); err != nil {
			t.Fatalf("first acquire: %v", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- l.acquire(ctx, start.Add(time.Minute), false) }()
		synctest.Wait() // waiting for the one slot
		cancel()
		err := <-errc
		wantCode(t, err, gate.KindUnavailable, "bpjs_busy")
		if !errors.Is(err, context.Canceled) || time.Since(start) != 0 {
			t.Fatalf("err = %v after %v, want context.Canceled at once", err, time.Since(start))
		}
		l.release(false)
		// Without a cancellation the slot wait ends at the deadline.
		if err := l.acquire(context.Background(), start.Add(time.Minute), false); err != nil {
			t.Fatalf("acquire after release: %v", err)
		}
		err = l.acquire(context.Background(), start.Add(time.Minute), false)
		wantCode(t, err, gate.KindUnavailable, "bpjs_busy")
		if waited := time.Since(start); waited != time.Minute {
			t.Fatalf("the capped acquire gave up after %v, want at its deadline (1m)", waited)
		}
	})
}
