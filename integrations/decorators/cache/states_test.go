package cache

import (
	"context"
	"maps"
	"testing"
	"testing/synctest"
	"time"
)

func TestBreakerStates(t *testing.T) {
	// gobreaker's open timeout runs on the bubble's fake clock: the sleep
	// advances it without taking wall time.
	synctest.Test(t, func(t *testing.T) {
		inner := &fakeInner{err: errBPJSDown}
		r, _ := newTestRegistry(t, inner, nil, Options{
			BreakerFailures: 2, BreakerOpenTimeout: 30 * time.Millisecond, BreakerHalfOpenRequests: 1,
		})
		want := func(employer, participant string) {
			t.Helper()
			w := map[string]string{"employer": employer, "participant": participant}
			if got := r.BreakerStates(); !maps.Equal(got, w) {
				t.Fatalf("BreakerStates = %v, want %v", got, w)
			}
		}
		want("closed", "closed")
		for i := range 2 {
			_, _ = r.Employer(context.Background(), nib(i))
		}
		want("open", "closed")
		time.Sleep(40 * time.Millisecond)
		want("half_open", "closed")
		inner.setErr(nil)
		_, _ = r.Employer(context.Background(), nib(10))
		want("closed", "closed")
	})
}
