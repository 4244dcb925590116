package bpjssim_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := bpjssim.Generate(7), bpjssim.Generate(7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two data sets from seed 7 differ")
	}
	if c := bpjssim.Generate(8); reflect.DeepEqual(a.Employers, c.Employers) {
		t.Fatal("seeds 7 and 8 gave the same employers")
	}
}

func TestDataSize(t *testing.T) {
	d := bpjssim.Generate(1)
	if len(d.Employers) < 200 || len(d.Participants) < 5000 {
		t.Errorf("%d employers and %d participants, want at least 200 and 5000", len(d.Employers), len(d.Participants))
	}
	if len(d.UnregisteredNIBs) == 0 || len(d.UnknownNIKs) == 0 {
		t.Errorf("%d unregistered NIBs, %d unknown NIKs; want some of each", len(d.UnregisteredNIBs), len(d.UnknownNIKs))
	}
	for _, region := range bpjssim.RegionCodes() {
		if len(d.EmployersInRegion(bpjssim.ScenarioCompliant, region)) == 0 {
			t.Errorf("region %s has no compliant employer", region)
		}
	}
}

func TestIdentifiersAreValidAndUnique(t *testing.T) {
	d := bpjssim.Generate(1)
	niks := map[string]bool{}
	for _, p := range d.Participants {
		if !gate.ValidNIK(p.NIK) {
			t.Errorf("participant NIK %s is not valid", p.NIK)
		}
		if niks[p.NIK] {
			t.Errorf("NIK %s appears twice", p.NIK)
		}
		niks[p.NIK] = true
		if err := birthAgrees(p); err != nil {
			t.Errorf("%s: %v", gate.MaskNIK(p.NIK), err)
		}
	}
	for _, nik := range d.UnknownNIKs {
		if !gate.ValidNIK(nik) || niks[nik] {
			t.Errorf("unknown NIK %s: valid %v, a participant %v", nik, gate.ValidNIK(nik), niks[nik])
		}
	}
	nibs := map[string]bool{}
	for _, e := range d.Employers {
		if !gate.ValidNIB(e.NIB) || nibs[e.NIB] {
			t.Errorf("employer NIB %s: valid %v, repeated %v", e.NIB, gate.ValidNIB(e.NIB), nibs[e.NIB])
		}
		nibs[e.NIB] = true
		if _, ok := gate.NormalizeNPWP(e.NPWP); !ok || len(e.Code) != 8 {
			t.Errorf("employer %s: NPWP %q or code %q malformed", e.NIB, e.NPWP, e.Code)
		}
	}
	for _, nib := range d.UnregisteredNIBs {
		if !gate.ValidNIB(nib) || nibs[nib] {
			t.Errorf("unregistered NIB %s: valid %v, an employer's %v", nib, gate.ValidNIB(nib), nibs[nib])
		}
	}
}

// birthAgrees checks that the NIK's DDMMYY is the participant's birth date,
// with 40 added to the day for women.
func birthAgrees(p bpjssim.Participant) error {
	birth, err := time.Parse(time.DateOnly, p.BirthDate)
	if err != nil {
		return err
	}
	day := birth.Day()
	if p.Sex == "P" {
		day += 40
	}
	if want := fmt.Sprintf("%02d%02d%02d", day, birth.Month(), birth.Year()%100); p.NIK[6:12] != want {
		return fmt.Errorf("NIK birth part %s, want %s (sex %s, born %s)", p.NIK[6:12], want, p.Sex, p.BirthDate)
	}
	return nil
}

func TestEmployerCountsAgreeWithParticipants(t *testing.T) {
	d := bpjssim.Generate(1)
	registered, active := map[string]int{}, map[string]int{}
	byNIB := map[string]bpjssim.Employer{}
	for _, e := range d.Employers {
		byNIB[e.NIB] = e
	}
	for _, p := range d.Participants {
		if p.EmployerNIB == "" {
			continue
		}
		e, ok := byNIB[p.EmployerNIB]
		if !ok {
			t.Fatalf("participant linked to unknown employer %s", p.EmployerNIB)
		}
		if p.NIK[:4] != e.RegionCode || (p.Segment != "10" && p.Segment != "13") {
			t.Errorf("worker %s of %s (region %s) in segment %s", gate.MaskNIK(p.NIK), e.NIB, e.RegionCode, p.Segment)
		}
		registered[p.EmployerNIB]++
		if p.Status == "0" {
			active[p.EmployerNIB]++
		}
	}
	for _, e := range d.Employers {
		if e.Registered != registered[e.NIB] || e.Active != active[e.NIB] {
			t.Errorf("employer %s says %d registered, %d active; participants say %d, %d",
				e.NIB, e.Registered, e.Active, registered[e.NIB], active[e.NIB])
		}
		if e.Active > e.Registered || e.ArrearsAmount != int64(e.ArrearsMonths)*int64(e.Registered)*e.ContribMonthly {
			t.Errorf("employer %s: active %d, registered %d, arrears %d", e.NIB, e.Active, e.Registered, e.ArrearsAmount)
		}
	}
}

func TestEveryParticipantKindExists(t *testing.T) {
	d := bpjssim.Generate(1)
	kinds := []struct{ status, segment string }{
		{"0", "13"}, {"0", "10"}, {"0", "14"}, {"0", "21"}, {"0", "22"},
		{"2", ""}, {"6", ""}, {"7", ""}, {"9", ""}, {"15", ""}, {"99", ""},
	}
	for _, k := range kinds {
		if len(d.ParticipantsWith(k.status, k.segment)) == 0 {
			t.Errorf("no participant with status %q, segment %q", k.status, k.segment)
		}
	}
}

// TestScenariosGetTheirExpectation runs gate's own engine on every employer,
// with the lookups answered from the data set, and checks that each gets
// exactly its scenario's outcome and reasons under the default policy.
func TestScenariosGetTheirExpectation(t *testing.T) {
	d := bpjssim.Generate(1)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	fetch := gate.Fetch{Source: gate.SourceLive, AsOf: now}
	for _, s := range bpjssim.Scenarios {
		employers := d.EmployersIn(s)
		if len(employers) == 0 {
			t.Errorf("scenario %s has no employer", s)
			continue
		}
		wantOutcome, wantReasons, ok := s.Expectation()
		if !ok {
			t.Fatalf("scenario %s has no expectation", s)
		}
		for _, e := range employers {
			app := gate.Application{ID: "A-" + e.NIB, NIB: e.NIB, RegionCode: e.RegionCode,
				PermitType: gate.PermitBusinessLicense, DeclaredWorkers: e.DeclaredWorkers, BPJSEmployerCode: e.ApplicationCode}
			f := gate.Findings{WorkersListed: len(e.Workers), Employer: gate.EmployerLookup{Found: true, Fetch: fetch,
				Employer: gate.Employer{Code: e.Code, NIB: e.NIB, Status: e.Status, RegisteredWorkers: e.Registered,
					ActiveWorkers: e.Active, ArrearsMonths: e.ArrearsMonths}}}
			for i, nik := range e.Workers {
				app.Workers = append(app.Workers, gate.Worker{NIK: nik})
				p, found := d.Participant(nik)
				f.Workers = append(f.Workers, gate.WorkerFinding{Position: i, NIK: nik, Lookup: gate.ParticipantLookup{
					Found: found, Fetch: fetch, Participant: gate.Participant{NIK: nik, Status: p.Status, Segment: p.Segment, EmployerCode: p.EmployerCode}}})
			}
			dec := gate.Evaluate(app, f, gate.DefaultPolicy(), now)
			var got []gate.ReasonCode
			for _, r := range dec.Reasons {
				got = append(got, r.Code)
			}
			if dec.Outcome != wantOutcome || !slices.Equal(got, wantReasons) {
				t.Errorf("%s employer %s: %s %v, want %s %v", s, e.NIB, dec.Outcome, got, wantOutcome, wantReasons)
			}
		}
	}
	for _, nib := range d.UnregisteredNIBs {
		if _, ok := d.Employer(nib); ok {
			t.Errorf("unregistered NIB %s is an employer", nib)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		bpjssim.Generate(1)
	}
}
