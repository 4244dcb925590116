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
//
// Live lookups come first. Background lookups (gate.WithBackground: the
// recheck) take a rate token only while the bucket holds more than a
// quarter of its burst, and at most three quarters of the in-flight slots,
// so that a draining backlog uses what live traffic leaves and live
// traffic always finds tokens and slots waiting.
type limiter struct {
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

// acquire waits for a rate token and an in-flight slot, both by deadline.
// On success the caller must call release with the same background. It
// returns KindUnavailable errors: "bpjs_rate_limited" when the token would
// come after the deadline (the token is then given back and nothing waits),
// "bpjs_busy" when no slot freed up in time.
func (l *limiter) acquire(deadline time.Time, background bool) error {
	var err error
	if background {
		err = l.waitHeadroom(deadline)
	} else {
		err = l.waitToken(deadline)
	}
	if err != nil {
		return err
	}
	if !background {
		return take(l.inFlight, deadline)
	}
	if err := take(l.bgInFlight, deadline); err != nil {
		return err
	}
	if err := take(l.inFlight, deadline); err != nil {
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

// waitToken reserves a token and waits for it, unless it comes too late.
func (l *limiter) waitToken(deadline time.Time) error {
	now := time.Now()
	res := l.rate.ReserveN(now, 1)
	delay := res.DelayFrom(now)
	if !res.OK() || delay > deadline.Sub(now) {
		res.CancelAt(now)
		return errRateLimited()
	}
	if delay > 0 {
		time.Sleep(delay)
	}
	return nil
}

// waitHeadroom takes a token once the bucket holds more than the live
// reserve. Live lookups reserve tokens ahead (the bucket may go below
// zero), which pushes background ones further back.
func (l *limiter) waitHeadroom(deadline time.Time) error {
	perToken := time.Duration(float64(time.Second) / float64(l.rate.Limit()))
	for {
		now := time.Now()
		short := l.reserve + 1 - l.rate.TokensAt(now)
		if short <= 0 && l.rate.AllowN(now, 1) {
			return nil
		}
		wait := max(time.Duration(short*float64(perToken)), perToken/4, time.Millisecond)
		if now.Add(wait).After(deadline) {
			return errRateLimited()
		}
		time.Sleep(wait)
	}
}

// take gets a slot of sem by deadline.
func take(sem chan struct{}, deadline time.Time) error {
	select {
	case sem <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case sem <- struct{}{}:
		return nil
	case <-t.C:
		return gate.Errorf(gate.KindUnavailable, gate.CodeBPJSBusy,
			"too many BPJS calls are in flight to start another before the lookup's deadline")
	}
}
