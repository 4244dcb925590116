package bpjsfile_test

import (
	"context"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjsfile"
)

// fakeLive answers every lookup with one result.
type fakeLive struct {
	employer    gate.EmployerLookup
	participant gate.ParticipantLookup
	err         error
	employerErr error // overrides err for employers when set
}

func (f fakeLive) Employer(context.Context, string) (gate.EmployerLookup, error) {
	if f.employerErr != nil {
		return f.employer, f.employerErr
	}
	return f.employer, f.err
}

func (f fakeLive) Participant(context.Context, string) (gate.ParticipantLookup, error) {
	return f.participant, f.err
}

// fakeImports holds at most one imported employer and participant.
type fakeImports struct {
	employer    *gate.Employer
	participant *gate.ImportedParticipant
}

func (f fakeImports) ImportedEmployer(context.Context, string) (gate.Employer, bool, error) {
	if f.employer == nil {
		return gate.Employer{}, false, nil
	}
	return *f.employer, true, nil
}

func (f fakeImports) ImportedParticipant(context.Context, string) (gate.ImportedParticipant, bool, error) {
	if f.participant == nil {
		return gate.ImportedParticipant{}, false, nil
	}
	return *f.participant, true, nil
}

func TestLookupOrder(t *testing.T) {
	now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	unavailable := gate.Errorf(gate.KindUnavailable, "bpjs_unavailable", "BPJS could not be reached")
	disabled := gate.Errorf(gate.KindUnavailable, gate.CodeEmployerSourceDisabled, "no employer source")
	liveEmployer := gate.EmployerLookup{Found: true, Employer: gate.Employer{NIB: "9120001234567", ActiveWorkers: 1},
		Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: now}}
	staleEmployer := func(asOf time.Time) gate.EmployerLookup {
		l := liveEmployer
		l.Fetch = gate.Fetch{Source: gate.SourceStale, AsOf: asOf}
		return l
	}
	imported := func(date string) *gate.Employer {
		return &gate.Employer{NIB: "9120001234567", ActiveWorkers: 2, DataDate: date}
	}
	tests := []struct {
		name       string
		live       fakeLive
		imports    fakeImports
		wantSource gate.Source
		wantErr    string // error code, "" for none
	}{
		{"live fresh wins over an import", fakeLive{employer: liveEmployer}, fakeImports{employer: imported("2026-11-22")}, gate.SourceLive, ""},
		{"unavailable: the import within max_data_age", fakeLive{err: unavailable}, fakeImports{employer: imported("2026-11-21")}, gate.SourceImport, ""},
		{"unavailable: an import past max_data_age is not used", fakeLive{err: unavailable}, fakeImports{employer: imported("2026-11-01")}, "", "bpjs_unavailable"},
		{"unavailable and nothing imported", fakeLive{err: unavailable}, fakeImports{}, "", "bpjs_unavailable"},
		{"no employer source: the import is the source", fakeLive{err: disabled}, fakeImports{employer: imported("2026-11-22")}, gate.SourceImport, ""},
		{"no employer source, nothing imported", fakeLive{err: disabled}, fakeImports{}, "", gate.CodeEmployerSourceDisabled},
		{"stale cache older than the import", fakeLive{employer: staleEmployer(now.Add(-60 * time.Hour))}, fakeImports{employer: imported("2026-11-22")}, gate.SourceImport, ""},
		{"stale cache newer than the import", fakeLive{employer: staleEmployer(now.Add(-30 * time.Hour))}, fakeImports{employer: imported("2026-11-21")}, gate.SourceStale, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &bpjsfile.Registry{Live: tc.live, Imports: tc.imports, MaxDataAge: 72 * time.Hour, Now: func() time.Time { return now }}
			l, err := r.Employer(t.Context(), "9120001234567")
			if gate.CodeOf(err) != tc.wantErr || (err == nil) != (tc.wantErr == "") {
				t.Fatalf("err = %v, want code %q", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if l.Fetch.Source != tc.wantSource {
				t.Errorf("source = %s, want %s", l.Fetch.Source, tc.wantSource)
			}
			if tc.wantSource == gate.SourceImport {
				if l.Fetch.AsOf.Format(time.DateOnly) != tc.imports.employer.DataDate || l.Fetch.AsOf.Hour() != 0 {
					t.Errorf("as_of = %v, want the tgl_data %s", l.Fetch.AsOf, tc.imports.employer.DataDate)
				}
				if l.Employer.ActiveWorkers != 2 || !l.Found {
					t.Errorf("lookup = %+v, want the imported employer", l)
				}
			}
		})
	}
}

func TestParticipantFromImportKeepsEmployerCode(t *testing.T) {
	now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	r := &bpjsfile.Registry{
		Live: fakeLive{err: gate.Errorf(gate.KindUnavailable, "bpjs_unavailable", "down")},
		Imports: fakeImports{participant: &gate.ImportedParticipant{DataDate: "2026-11-22",
			Participant: gate.Participant{NIK: nik1, Status: "0", Segment: "13", EmployerCode: "99999999"}}},
		MaxDataAge: 72 * time.Hour, Now: func() time.Time { return now },
	}
	l, err := r.Participant(t.Context(), nik1)
	if err != nil || l.Fetch.Source != gate.SourceImport || l.Participant.EmployerCode != "99999999" {
		t.Fatalf("Participant = %+v, %v", l, err)
	}
	// The engine sees the other employer's code on imported data too.
	app := gate.Application{ID: "OSS-1", NIB: "9120001234567", RegionCode: "1275", PermitType: gate.PermitBusinessLicense,
		DeclaredWorkers: 1, BPJSEmployerCode: "01020304", Workers: []gate.Worker{{NIK: nik1}}}
	d := gate.Evaluate(app, gate.Findings{EmployerErr: gate.Errorf(gate.KindUnavailable, gate.CodeEmployerSourceDisabled, "none"),
		Workers: []gate.WorkerFinding{{NIK: nik1, Position: 1, Lookup: l}}, WorkersListed: 1}, gate.DefaultPolicy(), now)
	if !d.HasReason(gate.ReasonWorkerOtherEmployer) || d.Evidence.Source != gate.SourceImport {
		t.Errorf("decision reasons = %v, evidence %s; want WORKER_OTHER_EMPLOYER on import", d.Reasons, d.Evidence.Source)
	}
}
