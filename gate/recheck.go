package gate

import (
	"context"
	"sync"
	"time"
)

// recheckBackoff is the wait before recheck number attempts+1: 1 min,
// doubling, at most an hour.
func recheckBackoff(attempts int) time.Duration {
	d := time.Minute
	for i := 0; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// recheckDeferral is the wait before a recheck that could not get a turn at
// BPJS (the rate limit was taken by live traffic) tries again. Such a
// recheck does not count as an attempt: BPJS did not fail it.
const recheckDeferral = 5 * time.Second

// RecheckStore is what the background recheck needs from a store.
type RecheckStore interface {
	RecheckQueue
	ReviewStore
	Decision(ctx context.Context, id string) (Decision, error)
}

// RecheckOptions tunes the background recheck. Zero fields take their
// defaults.
type RecheckOptions struct {
	// Interval is the wait between passes once no more rechecks are due.
	// Default 1 min.
	Interval time.Duration
	// Batch is how many due rechecks one pass claims. A pass that claimed a
	// full batch is followed at once by the next. Default 256.
	Batch int
	// Concurrency is how many companies are rechecked at once. Default 8.
	Concurrency int
	// Lease is how long claimed rechecks stay with this process; those it
	// has not finished by then are claimed again. Default 5 min.
	Lease time.Duration
	// Observe, when set, is told what each pass did, for metrics. It is
	// called on the recheck's goroutine and must not block.
	Observe func(RecheckPass)
}

func (o RecheckOptions) withDefaults() RecheckOptions {
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.Batch <= 0 {
		o.Batch = 256
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	return o
}

// RecheckPass counts what one pass of the recheck did with the rechecks it
// claimed. Superseded and Closed rechecks left the queue (drained);
// Retried ones wait with backoff because BPJS still failed; Deferred ones
// could not get a turn at BPJS and try again shortly; Failed ones (a store
// error) are left to their lease.
type RecheckPass struct {
	Claimed, Superseded, Closed, Retried, Deferred, Failed int
}

func (p *RecheckPass) add(r recheckResult) {
	switch r {
	case recheckSuperseded:
		p.Superseded++
	case recheckClosed:
		p.Closed++
	case recheckRetried:
		p.Retried++
	case recheckDeferred:
		p.Deferred++
	default:
		p.Failed++
	}
}

type recheckResult int

const (
	recheckFailed recheckResult = iota
	recheckSuperseded
	recheckClosed
	recheckRetried
	recheckDeferred
)

// RecheckDue evaluates again, on fresh data, up to limit decisions that were
// answered while BPJS could not be reached and are due, as one pass of
// RunRechecks with default options. When BPJS now answers, it records the
// new decision as superseding the old one and enqueues the callback; while
// BPJS still cannot be reached it backs off, until the recheck's Until. It
// returns how many rechecks it claimed.
func (s *Service) RecheckDue(ctx context.Context, st RecheckStore, lease time.Duration, limit int) (int, error) {
	p, err := s.recheckPass(ctx, st, RecheckOptions{Lease: lease, Batch: limit}.withDefaults())
	return p.Claimed, err
}

// RunRechecks drains the due rechecks until ctx ends: pass after pass while
// passes claim full batches, then one pass every o.Interval (sooner when
// rechecks were deferred for want of a rate token).
func (s *Service) RunRechecks(ctx context.Context, st RecheckStore, o RecheckOptions) {
	o = o.withDefaults()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p, err := s.recheckPass(ctx, st, o)
		if err != nil && ctx.Err() == nil {
			s.log().WarnContext(ctx, "recheck pass failed", "error", err)
		}
		if o.Observe != nil {
			o.Observe(p)
		}
		wait := o.Interval
		switch {
		case err == nil && p.Claimed == o.Batch && p.Failed == 0:
			wait = 0 // more are due
		case p.Deferred > 0:
			wait = min(wait, recheckDeferral) // they are due again by then
		}
		t.Reset(wait)
	}
}

// claimedRecheck is a claimed recheck with the decision it is about.
type claimedRecheck struct {
	Recheck
	old Decision
}

// recheckPass claims a batch, groups it by company, and rechecks the
// companies o.Concurrency at a time, each with one lookup per NIB and NIK
// for all of its applications.
func (s *Service) recheckPass(ctx context.Context, st RecheckStore, o RecheckOptions) (RecheckPass, error) {
	due, err := st.ClaimRechecks(ctx, s.now(), o.Lease, o.Batch)
	p := RecheckPass{Claimed: len(due)}
	if err != nil {
		return p, err
	}
	var mu sync.Mutex
	count := func(r recheckResult) { mu.Lock(); p.add(r); mu.Unlock() }
	var groups [][]claimedRecheck
	byNIB := map[string]int{}
	for _, r := range due {
		old, err := st.Decision(ctx, r.DecisionID)
		switch {
		case KindOf(err) == KindNotFound:
			count(s.finishRecheck(ctx, st, r, recheckClosed, time.Time{}))
			continue
		case err != nil:
			s.log().WarnContext(ctx, "recheck failed", "decision_id", r.DecisionID, "error", err)
			count(recheckFailed)
			continue
		}
		i, ok := byNIB[old.Application.NIB]
		if !ok {
			i = len(groups)
			byNIB[old.Application.NIB] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], claimedRecheck{r, old})
	}

	work := make(chan []claimedRecheck)
	var wg sync.WaitGroup
	for range min(o.Concurrency, len(groups)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range work {
				s.recheckCompany(ctx, st, g, count)
			}
		}()
	}
	for _, g := range groups {
		work <- g
	}
	close(work)
	wg.Wait()
	return p, nil
}

// recheckCompany rechecks the applications of one company, sharing one
// lookup of the employer and of each worker between them. A failed lookup
// is shared too: during an outage a company costs one failed call.
func (s *Service) recheckCompany(ctx context.Context, st RecheckStore, group []claimedRecheck, count func(recheckResult)) {
	reg := newMemoRegistry(s.Registry)
	shared := *s
	shared.Registry = reg
	for _, c := range group {
		res, next := shared.recheck(WithBackground(ctx), st, c, reg)
		count(s.finishRecheck(ctx, st, c.Recheck, res, next))
	}
}

// finishRecheck stores a recheck's outcome and returns the result to count.
func (s *Service) finishRecheck(ctx context.Context, st RecheckStore, r Recheck, res recheckResult, next time.Time) recheckResult {
	if res == recheckFailed {
		return res // leave the lease to expire: another pass retries it
	}
	attempts := r.Attempts + 1
	if res == recheckDeferred {
		attempts = r.Attempts
	}
	if err := st.FinishRecheck(ctx, r.DecisionID, attempts, next); err != nil {
		s.log().WarnContext(ctx, "recheck could not be finished", "decision_id", r.DecisionID, "error", err)
		return recheckFailed
	}
	return res
}

// recheck handles one recheck and says what came of it and when to try
// again (zero: done).
func (s *Service) recheck(ctx context.Context, st RecheckStore, c claimedRecheck, reg *memoRegistry) (recheckResult, time.Time) {
	old := c.old
	if workersErased(old.Application) {
		return recheckClosed, time.Time{}
	}
	d, err := s.Evaluate(ctx, old.Application)
	if err != nil {
		s.log().WarnContext(ctx, "recheck failed", "decision_id", old.ID, "error", err)
		return recheckFailed, time.Time{}
	}
	if d.HasReason(ReasonRegistryUnavailable) {
		res, next := recheckRetried, s.now().Add(recheckBackoff(c.Attempts+1))
		if reg.onlyThrottled() {
			// Only throttled: the rate limit went to live traffic.
			res, next = recheckDeferred, s.now().Add(recheckDeferral)
		}
		if !c.Until.IsZero() && next.After(c.Until) {
			return recheckClosed, time.Time{} // give up: the open review is for people now
		}
		return res, next
	}
	d = s.newDecision(d, origin{clientID: old.ClientID, callbackURL: old.CallbackURL, supersedes: old.ID}, d.DecidedAt)
	err = s.supersede(ctx, old, d, func(ctx context.Context, n Decision, cbs []Callback) error {
		return st.RecordSuperseding(ctx, old.ID, n, cbs)
	})
	if err != nil && KindOf(err) != KindConflict {
		s.log().WarnContext(ctx, "recheck failed", "decision_id", old.ID, "error", err)
		return recheckFailed, time.Time{}
	}
	if err == nil {
		return recheckSuperseded, time.Time{}
	}
	// Someone else superseded it meanwhile (a reviewer or a re-submission):
	// their decision stands.
	return recheckClosed, time.Time{}
}
