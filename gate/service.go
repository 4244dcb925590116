package gate

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Findings is what the lookups for one application found: the input of
// Evaluate besides the application and the policy.
type Findings struct {
	// EmployerErr is set when the employer could not be looked up; its code
	// is CodeEmployerSourceDisabled when no employer data source exists.
	Employer    EmployerLookup
	EmployerErr error
	// Workers holds one finding per checked worker, in list order.
	Workers []WorkerFinding
	// WorkersListed is how many workers the application listed.
	WorkersListed int
}

// WorkerFinding is the lookup of one listed worker.
type WorkerFinding struct {
	Position int // index in the application's worker list
	NIK      string
	Lookup   ParticipantLookup
	Err      error // set when the lookup failed
}

// RecordMargin is the time a webhook has, beyond Service.Budget, to read
// and record its decision: with a budget, Submit answers (a decision, or a
// KindUnavailable error) within Budget plus RecordMargin, whatever the store
// does, so a hung database costs a webhook that long and no longer.
const RecordMargin = time.Second

// Service runs the gate: look up, evaluate, record, answer.
type Service struct {
	Registry Registry
	Store    Store
	Policy   Policy
	// Now is the clock; the system clock when nil.
	Now Clock
	// MaxLookupsInFlight bounds concurrent worker lookups for one
	// application; 16 when zero.
	MaxLookupsInFlight int
	// Budget bounds the BPJS lookups of one evaluation, so the webhook
	// answers well within the licensing system's timeout: what is not known
	// when it ends counts as unavailable (REGISTRY_UNAVAILABLE), and the
	// lookups already started finish in the background (filling the cache,
	// when the registry has one). With a budget, the store calls of Submit
	// run under a deadline of Budget plus RecordMargin from its start. Zero
	// means no bound beyond the caller's.
	Budget time.Duration
	Logger *slog.Logger
	// OnDecision, when set, is told of every decision Submit answers with
	// (created false when it was recorded before: a replayed delivery) and
	// of every decision recorded by a review (People.Review) or a recheck
	// (RecheckDue), created true. It is called after the decision is
	// committed, on the caller's goroutine: it must be quick and must not
	// block (metrics, not I/O).
	OnDecision func(d Decision, created bool)
	// OSS is set when the OSS-RBA adapter is on: the applications of
	// client OSSClientID are then OSS's, and their decisions are reported
	// as receiveLicenseStatus messages (FirstCallbacks, and after reviews
	// and rechecks) instead of decision.updated callbacks.
	OSS bool
}

func (s *Service) now() time.Time { return s.Now.Now() }

// Submit decides an application received as webhook delivery (clientID,
// webhookID) and records the decision before returning it.
//
// The same delivery always gets the decision recorded for it first, and
// nothing new is recorded. A new delivery for an application the same client
// had decided is evaluated afresh and supersedes the earlier decision;
// application ids are the client's, so another client's decision for the
// same id is never superseded.
//
// Errors: KindInvalid ("invalid_application") for a malformed application;
// KindUnavailable ("store_unavailable") when the decision could not be
// recorded, in which case no decision is given; that includes a store that
// did not answer within Budget plus RecordMargin.
func (s *Service) Submit(ctx context.Context, clientID, webhookID string, app Application) (Decision, error) {
	// Checked before any store sees it, so that every store accepts and
	// refuses the same ids, and a refusal is never an outage.
	if err := CheckWebhookID(webhookID); err != nil {
		return Decision{}, err
	}
	if s.Budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Budget+RecordMargin)
		defer cancel()
	}
	// Without a BPJS call, evaluating costs less than the replay check, and
	// RecordDecision answers a replay with the decision recorded first.
	d, fromCache := s.evaluateFromCache(app)
	if !fromCache {
		// A replayed delivery must not call BPJS again: check first.
		if d, err := s.Store.DecisionForWebhook(ctx, clientID, webhookID); err == nil {
			s.decided(d, false)
			return d, nil
		} else if KindOf(err) == KindInvalid {
			return Decision{}, err // a value the store cannot hold: retrying cannot help
		} else if KindOf(err) != KindNotFound {
			return Decision{}, storeUnavailable(err)
		}
		var err error
		if d, err = s.Evaluate(ctx, app); err != nil {
			return Decision{}, err
		}
	}
	d = s.newDecision(d, origin{clientID: clientID, webhookID: webhookID, callbackURL: d.CallbackURL}, d.DecidedAt)
	stored, created, err := s.Store.RecordDecision(ctx, d)
	if KindOf(err) == KindInvalid {
		return Decision{}, err // a value the store cannot hold: retrying cannot help
	}
	if err != nil && fromCache {
		// The replay check was skipped: a replayed delivery is answered as
		// before when only writing fails (a full disk, a held write lock).
		if first, ferr := s.Store.DecisionForWebhook(ctx, clientID, webhookID); ferr == nil {
			s.decided(first, false)
			return first, nil
		}
	}
	if err != nil {
		return Decision{}, storeUnavailable(err)
	}
	// Its arguments would be boxed even with debug off.
	if l := s.log(); l.Enabled(ctx, slog.LevelDebug) {
		l.DebugContext(ctx, "decision recorded", "decision_id", stored.ID,
			"outcome", string(stored.Outcome), "created", created)
	}
	s.decided(stored, created)
	return stored, nil
}

// decided tells OnDecision, when set, of d.
func (s *Service) decided(d Decision, created bool) {
	if s.OnDecision != nil {
		s.OnDecision(d, created)
	}
}

// Evaluate looks the application's employer and workers up and decides it,
// recording nothing. The decision has no ID.
func (s *Service) Evaluate(ctx context.Context, app Application) (Decision, error) {
	if err := app.Validate(); err != nil {
		return Decision{}, err
	}
	var f Findings
	if p := s.Policy.For(app.RegionCode); p.Gates(app.PermitType) && !p.Exempts(app.BusinessScale) {
		lookupCtx := ctx
		if s.Budget > 0 {
			var cancel context.CancelFunc
			lookupCtx, cancel = context.WithTimeout(ctx, s.Budget)
			defer cancel()
		}
		f = s.lookUp(lookupCtx, app)
	}
	return Evaluate(app, f, s.Policy, s.now()), nil
}

// lookUp looks the employer and the (possibly sampled) listed workers up
// concurrently, with at most MaxLookupsInFlight worker lookups at once.
func (s *Service) lookUp(ctx context.Context, app Application) Findings {
	f := Findings{WorkersListed: len(app.Workers)}
	positions := samplePositions(len(app.Workers), s.Policy.For(app.RegionCode).WorkerSampleSize)
	f.Workers = make([]WorkerFinding, len(positions))

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		f.Employer, f.EmployerErr = s.Registry.Employer(ctx, app.NIB)
	}()
	limit := s.MaxLookupsInFlight
	if limit <= 0 {
		limit = 16
	}
	sem := make(chan struct{}, limit)
	for i, pos := range positions {
		nik := app.Workers[pos].NIK
		f.Workers[i] = WorkerFinding{Position: pos, NIK: nik}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			// The budget is spent: what was not started is unknown.
			f.Workers[i].Err = Errorf(KindUnavailable, CodeLookupBudgetExceeded,
				"no time left to look the worker up: %w", ctx.Err())
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			f.Workers[i].Lookup, f.Workers[i].Err = s.Registry.Participant(ctx, nik)
		}()
	}
	wg.Wait()
	return f
}

// samplePositions returns the list positions to check: all of them, or a
// random sample of size n in list order.
func samplePositions(listed, n int) []int {
	all := make([]int, listed)
	for i := range all {
		all[i] = i
	}
	if n <= 0 || n >= listed {
		return all
	}
	rand.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	sample := all[:n]
	slices.Sort(sample)
	return sample
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func storeUnavailable(err error) error {
	return &Error{Kind: KindUnavailable, Code: CodeStoreUnavailable,
		Message: "the decision could not be recorded; try again", Err: err}
}
