package gate

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// WhatIfLimits bound what one person (one token subject) can learn through
// what-if evaluations, which look workers up at BPJS without recording a
// decision: without a bound, what-if answers each listed NIK's membership
// status for any NIK, as often as asked. The count is kept in the process:
// each replica limits on its own.
type WhatIfLimits struct {
	// PerMinute is the sustained number of what-ifs per minute, and Burst
	// how many may come at once after a quiet spell.
	PerMinute, Burst int
	// NIKsPerMinute is the sustained number of workers (NIKs) looked up per
	// minute through what-if; it is also the most one what-if may check.
	NIKsPerMinute int
}

// DefaultWhatIfLimits is what People applies when its WhatIfLimits is
// zero: an officer preparing a decision runs a few what-ifs in a row, not
// hundreds.
var DefaultWhatIfLimits = WhatIfLimits{PerMinute: 30, Burst: 10, NIKsPerMinute: 500}

// RateLimited is the cause of a CodeRateLimited error.
type RateLimited struct {
	RetryAfter time.Duration // when the refused request would be allowed
}

func (r *RateLimited) Error() string {
	return fmt.Sprintf("rate limited; retry after %s", r.RetryAfter)
}

// whatIfChecks is how many workers a what-if of app looks up: none when the
// policy does not gate it, else every listed worker or the policy's sample.
func (p *People) whatIfChecks(app Application) int {
	// The region's policy, as Evaluate looks up: a region that gates other
	// permits or samples fewer workers is counted as it is checked.
	pol := p.gate().policy().For(app.RegionCode)
	if !pol.Gates(app.PermitType) || pol.Exempts(app.BusinessScale) {
		return 0
	}
	n := len(app.Workers)
	if pol.WorkerSampleSize > 0 && pol.WorkerSampleSize < n {
		n = pol.WorkerSampleSize
	}
	return n
}

// allowWhatIf takes one what-if checking niks workers from subject's
// budget, or says why not: KindInvalid when one what-if checks more workers
// than the limits allow in a minute, CodeRateLimited when the budget is
// spent for now.
func (p *People) allowWhatIf(subject string, niks int) error {
	p.whatIfOnce.Do(func() {
		l := p.WhatIfLimits
		if l == (WhatIfLimits{}) {
			l = DefaultWhatIfLimits
		}
		p.whatIf = newWhatIfLimiter(l)
	})
	l := p.whatIf.limits
	if niks > l.NIKsPerMinute {
		return &Error{Kind: KindInvalid, Code: CodeInvalidApplication,
			Message: "the application has 1 invalid field(s)",
			Fields: []FieldError{{Field: "workers",
				Message: fmt.Sprintf("a what-if checks at most %d workers", l.NIKsPerMinute)}}}
	}
	wait := p.whatIf.take(subject, p.gate().now(), niks)
	if wait <= 0 {
		return nil
	}
	return &Error{Kind: KindUnavailable, Code: CodeRateLimited,
		Message: fmt.Sprintf("too many what-if evaluations; try again in %d s", int(math.Ceil(wait.Seconds()))),
		Err:     &RateLimited{RetryAfter: wait}}
}

// maxIdleBuckets is how many people's buckets are kept before the full
// (idle) ones are dropped; a dropped bucket is full when it comes back.
const maxIdleBuckets = 10000

// whatIfLimiter keeps two token buckets per subject: what-ifs and NIKs.
type whatIfLimiter struct {
	limits  WhatIfLimits
	mu      sync.Mutex
	buckets map[string]*whatIfBucket
}

type whatIfBucket struct {
	calls, niks float64
	at          time.Time
}

func newWhatIfLimiter(l WhatIfLimits) *whatIfLimiter {
	l.PerMinute, l.Burst, l.NIKsPerMinute = max(l.PerMinute, 1), max(l.Burst, 1), max(l.NIKsPerMinute, 1)
	return &whatIfLimiter{limits: l, buckets: map[string]*whatIfBucket{}}
}

// take spends one call and niks NIKs of subject's buckets at now and
// returns 0, or spends nothing and returns how long until it could.
func (w *whatIfLimiter) take(subject string, now time.Time, niks int) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	callRate := float64(w.limits.PerMinute) / 60    // per second
	nikRate := float64(w.limits.NIKsPerMinute) / 60 // per second
	b := w.buckets[subject]
	if b == nil {
		if len(w.buckets) >= maxIdleBuckets {
			w.dropFull(now, callRate, nikRate)
		}
		b = &whatIfBucket{calls: float64(w.limits.Burst), niks: float64(w.limits.NIKsPerMinute), at: now}
		w.buckets[subject] = b
	}
	w.refill(b, now, callRate, nikRate)
	var wait float64 // seconds
	if b.calls < 1 {
		wait = (1 - b.calls) / callRate
	}
	if need := float64(niks); b.niks < need {
		wait = max(wait, (need-b.niks)/nikRate)
	}
	if wait > 0 {
		return time.Duration(math.Ceil(wait * float64(time.Second)))
	}
	b.calls--
	b.niks -= float64(niks)
	return 0
}

func (w *whatIfLimiter) refill(b *whatIfBucket, now time.Time, callRate, nikRate float64) {
	if elapsed := now.Sub(b.at).Seconds(); elapsed > 0 {
		b.calls = min(float64(w.limits.Burst), b.calls+elapsed*callRate)
		b.niks = min(float64(w.limits.NIKsPerMinute), b.niks+elapsed*nikRate)
		b.at = now
	}
}

// dropFull forgets the buckets that have refilled: their owners are idle.
func (w *whatIfLimiter) dropFull(now time.Time, callRate, nikRate float64) {
	for s, b := range w.buckets {
		w.refill(b, now, callRate, nikRate)
		if b.calls >= float64(w.limits.Burst) && b.niks >= float64(w.limits.NIKsPerMinute) {
			delete(w.buckets, s)
		}
	}
}
