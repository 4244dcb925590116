package bpjsfile_test

import (
	"context"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjsfile"
)

// cachedLive is a fakeLive that holds its answers fresh in a cache.
type cachedLive struct {
	fakeLive
	held bool
}

func (c cachedLive) LookUpCached(_ string, workers []gate.WorkerFinding) (gate.EmployerLookup, bool) {
	if !c.held {
		return gate.EmployerLookup{}, false
	}
	for i := range workers {
		workers[i].Lookup = c.participant
	}
	return c.employer, true
}

// TestLookUpCachedIsLives: the registry answers from Live's cache exactly
// what its lookups would answer (fresh cached data comes back as it is),
// and misses when Live has no cache or misses.
func TestLookUpCachedIsLives(t *testing.T) {
	const nib, nik = "9120001234567", "1275014101900001"
	now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	cached := gate.Fetch{Source: gate.SourceCache, AsOf: now.Add(-10 * time.Minute)}
	live := fakeLive{
		employer:    gate.EmployerLookup{Found: true, Employer: gate.Employer{NIB: nib, Code: "01020304"}, Fetch: cached},
		participant: gate.ParticipantLookup{Found: true, Participant: gate.Participant{NIK: nik, Status: "0"}, Fetch: cached},
	}
	imported := &gate.Employer{NIB: nib, Code: "99999999", DataDate: now.Format("2006-01-02")}
	r := &bpjsfile.Registry{Live: cachedLive{fakeLive: live, held: true}, Imports: fakeImports{employer: imported},
		MaxDataAge: 72 * time.Hour, Now: func() time.Time { return now }}
	into := []gate.WorkerFinding{{NIK: nik}}
	emp, ok := r.LookUpCached(nib, into)
	if !ok {
		t.Fatal("missed although Live holds everything")
	}
	wantEmp, _ := r.Employer(context.Background(), nib)
	wantP, _ := r.Participant(context.Background(), nik)
	if emp != wantEmp || into[0].Lookup != wantP {
		t.Errorf("LookUpCached = %+v, %+v; want the lookups' %+v, %+v", emp, into[0].Lookup, wantEmp, wantP)
	}

	r.Live = cachedLive{fakeLive: live}
	if _, ok := r.LookUpCached(nib, into); ok {
		t.Error("answered although Live missed")
	}
	r.Live = live
	if _, ok := r.LookUpCached(nib, into); ok {
		t.Error("answered although Live has no cache")
	}
}
