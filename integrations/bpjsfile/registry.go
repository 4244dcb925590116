package bpjsfile

import (
	"context"
	"log/slog"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// Registry puts imported data behind a live registry (the cached,
// circuit-broken BPJS client): a lookup answers from live data when BPJS is
// reachable and the data fresh (live or cache), else from imported data
// within MaxDataAge of its tgl_data (evidence source "import", as of that
// date), else as the live registry did (stale cached data, or its error).
// Stale cached data is preferred to an import only when it is newer.
//
// Without an employer source (the live registry answers
// employer_source_disabled), imported employer data is the employer source.
// An imported file never says "not registered": a NIB or NIK missing from
// the files leaves the live answer, or the outage, as it was.
type Registry struct {
	Live       gate.Registry
	Imports    Lookups
	MaxDataAge time.Duration
	Logger     *slog.Logger
	Now        gate.Clock // the system clock when nil
}

var _ gate.Registry = (*Registry)(nil)

// Employer implements gate.Registry.
func (r *Registry) Employer(ctx context.Context, nib string) (gate.EmployerLookup, error) {
	l, err := r.Live.Employer(ctx, nib)
	if err == nil && l.Fetch.Source != gate.SourceStale {
		return l, nil
	}
	e, found, ierr := r.Imports.ImportedEmployer(ctx, nib)
	if ierr != nil {
		r.warn(ctx, "imported employer lookup failed", ierr)
		return l, err
	}
	asOf, ok := r.usable(found, e.DataDate)
	if !ok || (err == nil && !l.Fetch.AsOf.Before(asOf)) {
		return l, err
	}
	return gate.EmployerLookup{Found: true, Employer: e, Fetch: gate.Fetch{Source: gate.SourceImport, AsOf: asOf}}, nil
}

// Participant implements gate.Registry.
func (r *Registry) Participant(ctx context.Context, nik string) (gate.ParticipantLookup, error) {
	l, err := r.Live.Participant(ctx, nik)
	if err == nil && l.Fetch.Source != gate.SourceStale {
		return l, nil
	}
	p, found, ierr := r.Imports.ImportedParticipant(ctx, nik)
	if ierr != nil {
		r.warn(ctx, "imported participant lookup failed", ierr)
		return l, err
	}
	asOf, ok := r.usable(found, p.DataDate)
	if !ok || (err == nil && !l.Fetch.AsOf.Before(asOf)) {
		return l, err
	}
	return gate.ParticipantLookup{Found: true, Participant: p.Participant, Fetch: gate.Fetch{Source: gate.SourceImport, AsOf: asOf}}, nil
}

// usable reports whether imported data of tgl_data date is within
// MaxDataAge, and its as-of time (midnight UTC of that date).
func (r *Registry) usable(found bool, date string) (time.Time, bool) {
	if !found {
		return time.Time{}, false
	}
	asOf, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return time.Time{}, false
	}
	return asOf, r.Now.Now().Sub(asOf) <= r.MaxDataAge
}

func (r *Registry) warn(ctx context.Context, msg string, err error) {
	if r.Logger != nil {
		r.Logger.WarnContext(ctx, msg, "error", err)
	}
}
