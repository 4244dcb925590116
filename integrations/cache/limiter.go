package cache

import (
	"time"

	"golang.org/x/time/rate"

	"github.com/jkngate/jkngate/gate"
)

// limiter keeps jkngate polite toward BPJS: a token bucket for the call rate
// and a semaphore for concurrent calls. Both wait at most until a deadline,
// because a caller whose answer would come too late is better served by an
// immediate "unavailable" (and the policy's fallback) than by a queue.
type limiter struct {
	rate     *rate.Limiter
	inFlight chan struct{}
}

func newLimiter(o Options) *limiter {
	return &limiter{
		rate:     rate.NewLimiter(rate.Limit(o.Rate), o.Burst),
		inFlight: make(chan struct{}, o.MaxInFlight),
	}
}

// acquire waits for a rate token and an in-flight slot, both by deadline.
// On success the caller must call release. It returns KindUnavailable errors:
// "bpjs_rate_limited" when the token would come after the deadline (the token
// is then given back and nothing waits), "bpjs_busy" when no slot freed up in
// time.
func (l *limiter) acquire(deadline time.Time) error {
	now := time.Now()
	res := l.rate.ReserveN(now, 1)
	delay := res.DelayFrom(now)
	if !res.OK() || delay > deadline.Sub(now) {
		res.CancelAt(now)
		return gate.Errorf(gate.KindUnavailable, "bpjs_rate_limited",
			"the BPJS call rate limit leaves no room before the lookup's deadline")
	}
	if delay > 0 {
		time.Sleep(delay)
	}
	select {
	case l.inFlight <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case l.inFlight <- struct{}{}:
		return nil
	case <-t.C:
		return gate.Errorf(gate.KindUnavailable, "bpjs_busy",
			"too many BPJS calls are in flight to start another before the lookup's deadline")
	}
}

func (l *limiter) release() { <-l.inFlight }
