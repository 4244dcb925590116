package cache

import (
	"context"
	"time"

	"golang.org/x/time/rate"

	"github.com/jkngate/jkngate/gate"
)

// limiter keeps jkngate polite toward BPJS: a token bucket for the call rate
// and a semaphore for concurrent calls. Both wait at most until a deadline,
// because a caller whose answer would come too late is better served by an
// immediate "unavailable" (and the policy's fallback) than by a queue.
//
// Live lookups come first. Background lookups (gate.WithBackground: the
// recheck) take a rate token only while the bucket holds more than a
// quarter of its burst, and at most three quarters of the in-flight slots,
// so that a draining backlog uses what live traffic leaves and live
// traffic always finds tokens and slots waiting.
type limiter struct {
	// now is the limiter's clock: nil, the runtime's (see Options.Now).
	// Every wait is a runtime timer that also watches the caller's context.
	now        gate.Clock
	rate       *rate.Limiter
	reserve    float64 // tokens only live lookups may take
	inFlight   chan struct{}
	bgInFlight chan struct{} // the slots background lookups may hold
}

func newLimiter(o Options) *limiter {
	return &limiter{
		rate:       rate.NewLimiter(rate.Limit(o.Rate), o.Burst),
		reserve:    float64(o.Burst) / 4,
		inFlight:   make(chan struct{}, o.MaxInFlight),
		bgInFlight: make(chan struct{}, max(1, o.MaxInFlight-o.MaxInFlight/4)),
	}
}

// acquire waits for a rate token and an in-flight slot, both by deadline,
// and stops waiting as soon as ctx ends. On success the caller must call
// release with the same background. It returns KindUnavailable errors:
// "bpjs_rate_limited" when the token would come after the deadline (the
// token is then given back and nothing waits), "bpjs_busy" when no slot
// freed up in time. When ctx ends first, it returns at once with the code
// of what it was waiting for, wrapping ctx.Err() (a waited-for token is
// then given back too).
func (l *limiter) acquire(ctx context.Context, deadline time.Time, background bool) error {
	var err error
	if background {
		err = l.waitHeadroom(ctx, deadline)
	} else {
		err = l.waitToken(ctx, deadline)
	}
	if err != nil {
		return err
	}
	if !background {
		return take(ctx, l.inFlight, deadline, l.now)
	}
	if err := take(ctx, l.bgInFlight, deadline, l.now); err != nil {
		return err
	}
	if err := take(ctx, l.inFlight, deadline, l.now); err != nil {
		<-l.bgInFlight
		return err
	}
	return nil
}

func (l *limiter) release(background bool) {
	<-l.inFlight
	if background {
		<-l.bgInFlight
	}
}

func errRateLimited() error {
	return gate.Errorf(gate.KindUnavailable, gate.CodeBPJSRateLimited,
		"the BPJS call rate limit leaves no room before the lookup's deadline")
}

// errRateLimitedBy is errRateLimited for a wait that ctx ended (err).
func errRateLimitedBy(err error) error {
	return gate.Errorf(gate.KindUnavailable, gate.CodeBPJSRateLimited,
		"the lookup ended while waiting for the BPJS call rate limit: %w", err)
}

// errBusyBy is the "bpjs_busy" error for a wait that ctx ended (err).
func errBusyBy(err error) error {
	return gate.Errorf(gate.KindUnavailable, gate.CodeBPJSBusy,
		"the lookup ended while waiting for a free BPJS call slot: %w", err)
}

// waitToken reserves a token and waits for it, unless it comes too late or
// ctx ends first; either way an unused token goes back to the bucket.
func (l *limiter) waitToken(ctx context.Context, deadline time.Time) error {
	now := l.now.Now()
	res := l.rate.ReserveN(now, 1)
	delay := res.DelayFrom(now)
	if !res.OK() || delay > deadline.Sub(now) {
		res.CancelAt(now)
		return errRateLimited()
	}
	if err := gate.Sleep(ctx, delay); err != nil {
		res.CancelAt(l.now.Now())
		return errRateLimitedBy(err)
	}
	return nil
}

// waitHeadroom takes a token once the bucket holds more than the live
// reserve. Live lookups reserve tokens ahead (the bucket may go below
// zero), which pushes background ones further back.
func (l *limiter) waitHeadroom(ctx context.Context, deadline time.Time) error {
	perToken := time.Duration(float64(time.Second) / float64(l.rate.Limit()))
	for {
		now := l.now.Now()
		short := l.reserve + 1 - l.rate.TokensAt(now)
		if short <= 0 && l.rate.AllowN(now, 1) {
			return nil
		}
		wait := max(time.Duration(short*float64(perToken)), perToken/4, time.Millisecond)
		if now.Add(wait).After(deadline) {
			return errRateLimited()
		}
		if err := gate.Sleep(ctx, wait); err != nil {
			return errRateLimitedBy(err)
		}
	}
}

// take gets a slot of sem by deadline, unless ctx ends first.
func take(ctx context.Context, sem chan struct{}, deadline time.Time, now gate.Clock) error {
	select {
	case sem <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(deadline.Sub(now.Now()))
	defer t.Stop()
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return errBusyBy(ctx.Err())
	case <-t.C:
		return gate.Errorf(gate.KindUnavailable, gate.CodeBPJSBusy,
			"too many BPJS calls are in flight to start another before the lookup's deadline")
	}
}
