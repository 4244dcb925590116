package gate

import (
	"context"
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

// RecheckStore is what the background recheck needs from a store.
type RecheckStore interface {
	RecheckQueue
	ReviewStore
	Decision(ctx context.Context, id string) (Decision, error)
}

// RecheckDue evaluates again, on fresh data, the decisions that were
// answered while BPJS could not be reached and are due. When BPJS now
// answers, it records the new decision as superseding the old one and
// enqueues the callback; while BPJS still cannot be reached it backs off,
// until the recheck's Until. It returns how many rechecks it handled.
func (s *Service) RecheckDue(ctx context.Context, st RecheckStore, lease time.Duration, limit int) (int, error) {
	now := s.now()
	due, err := st.ClaimRechecks(ctx, now, lease, limit)
	if err != nil {
		return 0, err
	}
	for _, r := range due {
		next, err := s.recheck(ctx, st, r)
		if err != nil {
			// Leave the lease to expire: another pass retries it.
			s.log().WarnContext(ctx, "recheck failed", "decision_id", r.DecisionID, "error", err)
			continue
		}
		if err := st.FinishRecheck(ctx, r.DecisionID, r.Attempts+1, next); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// recheck handles one recheck and says when to try again (zero: done).
func (s *Service) recheck(ctx context.Context, st RecheckStore, r Recheck) (time.Time, error) {
	old, err := st.Decision(ctx, r.DecisionID)
	if KindOf(err) == KindNotFound {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	if workersErased(old.Application) {
		return time.Time{}, nil
	}
	d, err := s.Evaluate(ctx, old.Application)
	if err != nil {
		return time.Time{}, err
	}
	if d.HasReason(ReasonRegistryUnavailable) {
		next := s.now().Add(recheckBackoff(r.Attempts + 1))
		if !r.Until.IsZero() && next.After(r.Until) {
			return time.Time{}, nil // give up: the open review is for people now
		}
		return next, nil
	}
	d.ID = NewDecisionID(d.DecidedAt)
	d.ClientID, d.CallbackURL = old.ClientID, old.CallbackURL
	if d.Outcome != OutcomeAllow {
		d.Review = s.Policy.openReview(d)
	}
	d.Supersedes = old.ID
	err = st.RecordSuperseding(ctx, old.ID, d, callbacksFor(d))
	if err != nil && KindOf(err) != KindConflict {
		return time.Time{}, err
	}
	if err == nil {
		s.decided(d, true)
	}
	// Done, also when someone else superseded it meanwhile (a reviewer or
	// a re-submission): their decision stands.
	return time.Time{}, nil
}

// RunRechecks runs RecheckDue every interval until ctx ends.
func (s *Service) RunRechecks(ctx context.Context, st RecheckStore, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.RecheckDue(ctx, st, 2*time.Minute, 32); err != nil && ctx.Err() == nil {
			s.log().WarnContext(ctx, "recheck pass failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
