package bpjsfile_test

import (
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjsfile"
)

// TestImportRechecksAndDecidesOnImportedData is the whole path: a decision
// answered while BPJS was down, a participant file imported, the recheck
// it schedules, and the new decision made on the imported data.
func TestImportRechecksAndDecidesOnImportedData(t *testing.T) {
	im, store := newImporter(t)
	clock := testNow
	now := func() time.Time { return clock }
	// No employer endpoint, and VClaim down.
	live := fakeLive{err: gate.Errorf(gate.KindUnavailable, "bpjs_unavailable", "BPJS could not be reached"),
		employerErr: gate.Errorf(gate.KindUnavailable, gate.CodeEmployerSourceDisabled, "no employer source")}
	reg := &bpjsfile.Registry{Live: live, Imports: store, MaxDataAge: 72 * time.Hour, Now: now}
	svc := &gate.Service{Registry: reg, Store: store, Policy: gate.DefaultPolicy(), Now: now}
	app := gate.Application{ID: "OSS-2026-1", NIB: "9120001234567", RegionCode: "1275", PermitType: gate.PermitBusinessLicense,
		DeclaredWorkers: 1, BPJSEmployerCode: "01020304", Workers: []gate.Worker{{NIK: nik1}}}
	first, err := svc.Submit(t.Context(), "oss", "msg-1", app)
	if err != nil {
		t.Fatal(err)
	}
	if !first.HasReason(gate.ReasonRegistryUnavailable) {
		t.Fatalf("first decision = %v, want REGISTRY_UNAVAILABLE", first.Reasons)
	}
	// Nothing is due before the import: the outage's own backoff is later.
	if n, err := svc.RecheckDue(t.Context(), store, time.Minute, 10); err != nil || n != 0 {
		t.Fatalf("before the import: %d rechecks claimed (%v), want 0", n, err)
	}

	date := testNow.AddDate(0, 0, -1).Format(time.DateOnly)
	rep := importFile(t, im, gate.ImportParticipants, writeFile(t, "p.csv",
		"nik,status,jenis_peserta,kode_badan_usaha,tgl_data\n"+nik1+",0,13,01020304,"+date+"\n"))
	if !rep.Accepted || rep.Record.Rechecks != 1 {
		t.Fatalf("report = %+v, want 1 recheck scheduled", rep)
	}
	clock = clock.Add(time.Second)
	if n, err := svc.RecheckDue(t.Context(), store, time.Minute, 10); err != nil || n != 1 {
		t.Fatalf("after the import: %d rechecks claimed (%v), want 1", n, err)
	}
	items, err := store.ListDecisions(t.Context(), gate.DecisionFilter{Scope: gate.Scope{All: true}, NIB: app.NIB, Limit: 1})
	if err != nil || len(items) != 1 {
		t.Fatalf("ListDecisions = %v, %v", items, err)
	}
	d := items[0]
	if d.ID == first.ID || d.Supersedes != first.ID || d.Outcome != gate.OutcomeAllow {
		t.Fatalf("latest decision = %s (supersedes %q) %s %v; want an allow superseding %s", d.ID, d.Supersedes, d.Outcome, d.Reasons, first.ID)
	}
	if d.Evidence.Source != gate.SourceImport || d.Evidence.AsOf.Format(time.DateOnly) != date {
		t.Errorf("evidence = %s as of %v; want import as of %s", d.Evidence.Source, d.Evidence.AsOf, date)
	}
}
