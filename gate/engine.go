package gate

import "time"

// Evaluate decides an application from what the lookups found, under a
// policy, at a moment. It is a pure function: the same inputs give the same
// decision. It leaves the decision's ID empty.
//
// Every check that has data runs, so that an officer sees every problem at
// once; the outcome is the most severe among the reasons. An outage is never
// a denial by itself: it is REGISTRY_UNAVAILABLE with the policy's outcome.
//
// The policy in effect is p.For(app.RegionCode): the decision records its
// version and region.
func Evaluate(app Application, f Findings, p Policy, now time.Time) Decision {
	p = p.For(app.RegionCode)
	d := Decision{
		ApplicationID:   app.ID,
		NIB:             app.NIB,
		RegionCode:      app.RegionCode,
		PermitType:      app.PermitType,
		PolicyVersion:   p.Version,
		DecidedAt:       now,
		ValidUntil:      now.Add(p.DecisionValidFor),
		CallbackURL:     app.CallbackURL,
		DeclaredWorkers: app.DeclaredWorkers,
		Application:     app,
		Evidence:        Evidence{Source: SourceNone, WorkersListed: len(app.Workers)},
	}
	switch {
	case !p.Gates(app.PermitType):
		d.Reasons = []Reason{permitNotGated(app.PermitType, p)}
	case p.Exempts(app.BusinessScale):
		d.Reasons = []Reason{scaleExempt(app.BusinessScale, p)}
	default:
		d.Reasons = checkFindings(app, f, p)
		d.Evidence = evidenceOf(f, len(app.Workers))
	}
	d.Evidence.PolicyRegion = p.Region
	d.Outcome = mostSevere(d.Reasons)
	return d
}

func checkFindings(app Application, f Findings, p Policy) []Reason {
	var reasons []Reason
	unavailable := unavailableCounts{}
	noEmployerData := false
	region := app.RegionCode
	// applicant is the employer code the workers must be registered under:
	// BPJS's own code for the NIB, else the one the application gives.
	applicant := app.BPJSEmployerCode

	switch {
	case f.EmployerErr != nil && CodeOf(f.EmployerErr) == CodeEmployerSourceDisabled:
		noEmployerData = true
	case f.EmployerErr != nil:
		unavailable.employer = true
	case !f.Employer.Found:
		reasons = append(reasons, employerNotRegistered(app.NIB, p, region))
	default:
		e := f.Employer.Employer
		reasons = append(reasons, checkEmployer(e, app.DeclaredWorkers, p, region)...)
		if app.BPJSEmployerCode != "" && e.Code != "" && app.BPJSEmployerCode != e.Code {
			reasons = append(reasons, employerNumberMismatch(app.BPJSEmployerCode, e, p, region))
		}
		if e.Code != "" {
			applicant = e.Code
		}
	}

	groups := map[ReasonCode][]WorkerFinding{}
	activeListed := 0
	for _, w := range f.Workers {
		if w.Err != nil {
			unavailable.workers++
			continue
		}
		code := workerReason(w.Lookup, applicant, p)
		if code == "" {
			activeListed++
			continue
		}
		groups[code] = append(groups[code], w)
	}
	for _, code := range []ReasonCode{ReasonWorkerNotRegistered, ReasonWorkerInactive,
		ReasonWorkerNotEmployerPaid, ReasonWorkerOtherEmployer, ReasonWorkerStatusUnclear} {
		if ws := groups[code]; len(ws) > 0 {
			reasons = append(reasons, workerReasonFor(code, ws, applicant, p, region))
		}
	}

	// Without employer data only the listed workers show coverage: they
	// must reach the required count themselves, or a person must look.
	if required := RequiredWorkers(app.DeclaredWorkers, p.MinWorkerCoverage); noEmployerData && activeListed < required {
		reasons = append(reasons, insufficientEvidence(app.DeclaredWorkers, required, f.WorkersListed, activeListed, p, region))
	}
	if unavailable.employer || unavailable.workers > 0 {
		reasons = append(reasons, registryUnavailable(unavailable, p))
	}
	if len(reasons) == 0 {
		reasons = append(reasons, compliant(f, app.DeclaredWorkers, p))
	}
	return reasons
}

// checkEmployer checks a registered employer's status, arrears and worker
// coverage.
func checkEmployer(e Employer, declared int, p Policy, region string) []Reason {
	var reasons []Reason
	switch e.Status {
	case EmployerActive:
	case EmployerInactive, EmployerSuspended:
		reasons = append(reasons, employerInactive(e, p, region))
	default:
		reasons = append(reasons, employerStatusUnclear(e, p, region))
	}
	if e.ArrearsMonths > p.MaxArrearsMonths {
		reasons = append(reasons, contributionArrears(e, p, region))
	}
	if required := RequiredWorkers(declared, p.MinWorkerCoverage); e.ActiveWorkers < required {
		reasons = append(reasons, workersUnderRegistered(declared, e.ActiveWorkers, required, e.RegisteredWorkers, p, region))
	}
	return reasons
}

// workerReason classifies one looked-up worker; "" means the worker is
// active, employer-paid and (where BPJS says under whom) registered under
// the applicant's employer code.
func workerReason(l ParticipantLookup, applicant string, p Policy) ReasonCode {
	if !l.Found {
		return ReasonWorkerNotRegistered
	}
	pt := l.Participant
	switch pt.Status {
	case ParticipantActive:
		switch {
		case !p.EmployerPays(pt.Segment):
			return ReasonWorkerNotEmployerPaid
		case applicant != "" && pt.EmployerCode != "" && pt.EmployerCode != applicant:
			return ReasonWorkerOtherEmployer
		}
		return ""
	case ParticipantUnpaid, ParticipantInactiveMonthEnd:
		return ReasonWorkerInactive
	default:
		// 2 deceased, 6 age limit, 7 suspended, and any code not known:
		// a person must look. Never allow on a status gate does not know.
		return ReasonWorkerStatusUnclear
	}
}

// evidenceOf summarizes where the findings' data came from: the least fresh
// source among the lookups that returned data, as of the oldest of them.
func evidenceOf(f Findings, listed int) Evidence {
	ev := Evidence{Source: SourceNone, WorkersListed: listed, WorkersChecked: len(f.Workers)}
	consider := func(fe Fetch) {
		if rank(fe.Source) > rank(ev.Source) {
			ev.Source = fe.Source
		}
		if ev.AsOf.IsZero() || (!fe.AsOf.IsZero() && fe.AsOf.Before(ev.AsOf)) {
			ev.AsOf = fe.AsOf
		}
	}
	if f.EmployerErr == nil {
		consider(f.Employer.Fetch)
		if f.Employer.Found {
			e := f.Employer.Employer
			ev.Employer = &e
		}
	}
	for _, w := range f.Workers {
		if w.Err == nil {
			consider(w.Lookup.Fetch)
		}
	}
	return ev
}

// rank orders sources from no data to the least fresh data.
func rank(s Source) int {
	switch s {
	case SourceLive:
		return 1
	case SourceCache:
		return 2
	case SourceStale:
		return 3
	case SourceImport:
		return 4 // a file handed over by a branch office: the least fresh
	default:
		return 0
	}
}

func mostSevere(reasons []Reason) Outcome {
	out := OutcomeAllow
	for _, r := range reasons {
		if r.Outcome.Severity() > out.Severity() {
			out = r.Outcome
		}
	}
	return out
}

type unavailableCounts struct {
	employer bool
	workers  int
}
