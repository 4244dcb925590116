package cache

import "github.com/jkngate/jkngate/gate"

var _ gate.CachedRegistry = (*Registry)(nil)

// LookUpCached answers the employer under nib and the participant under each
// worker's NIK (into its Lookup) from the process tier alone, as
// gate.CachedRegistry specifies, and counts them as fresh hits when it
// answers them all. Only fresh entries answer: a stale one would start a
// background refresh (a BPJS call that a replayed delivery must not cause),
// and the shared tier is a network round trip; either is a miss, counted
// nowhere, and the caller's Employer and Participant lookups then serve
// those keys as usual (filling the process tier from the shared one).
func (r *Registry) LookUpCached(nib string, workers []gate.WorkerFinding) (gate.EmployerLookup, bool) {
	now := r.opts.Now.Now()
	e, ok := r.employers.local.Get(nib)
	if !ok || r.freshness(e.FetchedAt, e.Found, now) != fresh {
		return gate.EmployerLookup{}, false
	}
	for i := range workers {
		w := &workers[i]
		p, ok := r.participants.local.Get(w.NIK)
		if !ok || r.freshness(p.FetchedAt, p.Found, now) != fresh {
			return gate.EmployerLookup{}, false
		}
		w.Lookup = gate.ParticipantLookup{Found: p.Found, Participant: p.Value.participant(w.NIK),
			Fetch: gate.Fetch{Source: gate.SourceCache, AsOf: p.FetchedAt}}
	}
	r.employers.m.hitFresh.Inc()
	r.participants.m.hitFresh.Add(float64(len(workers)))
	return gate.EmployerLookup{Found: e.Found, Employer: e.Value,
		Fetch: gate.Fetch{Source: gate.SourceCache, AsOf: e.FetchedAt}}, true
}
