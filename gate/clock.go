package gate

import (
	"context"
	"time"
)

// Clock is the one way every part of jkngate asks what time it is: the
// gate, the HTTP layer, the console, the cache, the BPJS client and
// simulator, the data-file importer and the callback worker each take a
// field `Now Clock`, so that a test sets the time once and every component
// agrees on it.
//
// A nil Clock is the system clock, so no component needs a default. Any
// func() time.Time is assignable to a Clock: a test writes
// Now: func() time.Time { return t0 } or passes a fake clock's method value
// (Now: fake.Now), and time.Now itself is a Clock.
//
// Code that only measures a duration (latency metrics, log lines) uses
// time.Now and time.Since directly: that is the process's own stopwatch,
// not the domain's idea of now.
type Clock func() time.Time

// SystemClock is the wall clock; the zero Clock behaves the same.
var SystemClock Clock = time.Now

// Now returns the current time by c, or by the wall clock when c is nil.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now()
	}
	return c()
}

// Sleep waits for d to pass or for ctx to end, whichever comes first, and
// returns ctx.Err() in the second case, nil in the first. With d <= 0 it
// returns nil at once: there is no wait to abandon. It waits on a runtime
// timer, so inside a testing/synctest bubble it takes no wall time.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
