package bpjsfile

import "github.com/jkngate/jkngate/gate"

var _ gate.CachedRegistry = (*Registry)(nil)

// LookUpCached implements gate.CachedRegistry when Live does, and misses
// otherwise. A fresh cached answer is what Employer and Participant return
// as they are, imports unread, so Live's cached answers are this
// registry's; stale and missing ones are Live's misses too.
func (r *Registry) LookUpCached(nib string, workers []gate.WorkerFinding) (gate.EmployerLookup, bool) {
	live, ok := r.Live.(gate.CachedRegistry)
	if !ok {
		return gate.EmployerLookup{}, false
	}
	return live.LookUpCached(nib, workers)
}
