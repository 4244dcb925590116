package gate

import (
	"context"
	"time"
)

// origin says where a new decision comes from: whose application it
// answers, the delivery it answers (submissions only), and, for a review or
// a recheck, the decision it supersedes and the review that closed it.
type origin struct {
	clientID, webhookID, callbackURL string
	// supersedes is the decision it replaces, when gate knows it (a review
	// or a recheck); for a submission the store finds it.
	supersedes string
	// reviewed is the closed review that made the decision (uphold,
	// override). Nil for a decision the engine made, which opens a review
	// when it is not an allow.
	reviewed *Review
}

// newDecision is the one constructor of the decisions gate records: every
// submission, review action and recheck makes its decision here. From the
// verdict v (outcome, reasons, evidence and application; Evaluate's answer,
// or a reviewed decision with its new outcome and reasons) it makes a
// decision decided at: a new id, the decision and validity times and the
// policy version of v's region, where it comes from (o), and the review and
// recheck it opens.
//
// A decision the engine made opens a review unless it allows, and, when
// BPJS could not be reached, schedules a recheck within the region's
// RecheckFor. A decision a review made carries that closed review and
// schedules nothing: people have decided it.
func (s *Service) newDecision(v Decision, o origin, at time.Time) Decision {
	eff := s.Policy.For(v.RegionCode)
	d := v
	d.ID = NewDecisionID(at)
	d.ClientID, d.WebhookID, d.CallbackURL = o.clientID, o.webhookID, o.callbackURL
	d.Supersedes = o.supersedes
	d.DecidedAt = at
	d.ValidUntil = at.Add(eff.DecisionValidFor)
	d.PolicyVersion, d.Evidence.PolicyRegion = eff.Version, eff.Region
	d.Review, d.RecheckAt, d.RecheckUntil = o.reviewed, time.Time{}, time.Time{}
	if o.reviewed != nil {
		return d
	}
	if d.Outcome != OutcomeAllow {
		d.Review = s.Policy.openReview(d)
	}
	if d.HasReason(ReasonRegistryUnavailable) && eff.RecheckFor > 0 {
		d.RecheckAt = at.Add(recheckBackoff(0))
		d.RecheckUntil = at.Add(eff.RecheckFor)
	}
	return d
}

// supersede records next, a decision newDecision made to supersede old,
// with write (the store's CloseReview or RecordSuperseding), which also
// enqueues the callbacks that tell the licensing system; once it is
// committed, OnDecision is told. Errors are write's.
func (s *Service) supersede(ctx context.Context, old, next Decision, write func(ctx context.Context, next Decision, callbacks []Callback) error) error {
	if err := write(ctx, next, s.callbacksFor(old.Outcome, next)); err != nil {
		return err
	}
	s.decided(next, true)
	return nil
}

// peopleGate is all that People uses of the gate's Service: its clock and
// policy, evaluation, the registry's employer data, and the decision
// factory with its commit. People reaches the Service through it only
// (People.gate), so that Service's fields and other internals can change
// without the people's side noticing.
type peopleGate interface {
	now() time.Time
	policy() Policy
	Evaluate(ctx context.Context, app Application) (Decision, error)
	employer(ctx context.Context, nib string) (EmployerLookup, error)
	newDecision(v Decision, o origin, at time.Time) Decision
	supersede(ctx context.Context, old, next Decision, write func(context.Context, Decision, []Callback) error) error
}

var _ peopleGate = (*Service)(nil)

// policy is the whole policy, base and regional overrides.
func (s *Service) policy() Policy { return s.Policy }

// employer looks the company up in the registry.
func (s *Service) employer(ctx context.Context, nib string) (EmployerLookup, error) {
	return s.Registry.Employer(ctx, nib)
}

// gate is the Service as People may use it.
func (p *People) gate() peopleGate { return p.Gate }
