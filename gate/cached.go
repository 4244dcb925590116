package gate

// CachedRegistry is a Registry that can also answer from what it already
// holds in memory. Service.Submit uses it to skip its replay check: when
// every lookup of an application is answered this way, evaluating costs no
// BPJS call and less than the check itself, and the store's RecordDecision
// detects a replayed delivery on its own (and answers with the decision
// recorded first). A Registry that is not one always takes the slow path.
type CachedRegistry interface {
	Registry
	// LookUpCached answers the lookups of the employer under nib and of the
	// participant under each workers[i].NIK (into workers[i].Lookup) from
	// data it holds fresh in process memory, without calling BPJS, waiting
	// on I/O or starting any refresh. It reports false when any of them is
	// not held so: what it wrote is then to be ignored, nothing was counted
	// as served, and the caller looks them all up with Employer and
	// Participant.
	LookUpCached(nib string, workers []WorkerFinding) (EmployerLookup, bool)
}

// evaluateFromCache decides app without any BPJS call, when it can: when
// the policy makes no lookups for it (an ungated permit, an exempt scale),
// or when the Registry is a CachedRegistry holding all of them. ok is false
// otherwise, and for an invalid application, whose error Evaluate gives
// after the replay check, as always.
func (s *Service) evaluateFromCache(app Application) (d Decision, ok bool) {
	if app.Validate() != nil { // normalizes this copy only, as Evaluate does
		return Decision{}, false
	}
	p := s.Policy.For(app.RegionCode)
	if !p.Gates(app.PermitType) || p.Exempts(app.BusinessScale) {
		return Evaluate(app, Findings{}, s.Policy, s.now()), true
	}
	cached, isCached := s.Registry.(CachedRegistry)
	if !isCached {
		return Decision{}, false
	}
	positions := samplePositions(len(app.Workers), p.WorkerSampleSize)
	f := Findings{WorkersListed: len(app.Workers), Workers: make([]WorkerFinding, len(positions))}
	for i, pos := range positions {
		f.Workers[i] = WorkerFinding{Position: pos, NIK: app.Workers[pos].NIK}
	}
	employer, hit := cached.LookUpCached(app.NIB, f.Workers)
	if !hit {
		return Decision{}, false
	}
	f.Employer = employer
	return Evaluate(app, f, s.Policy, s.now()), true
}
